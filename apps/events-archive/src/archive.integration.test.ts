import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { DLQ_HEADERS, silentLogger, Tributary } from '@tributary/core';
import type { RollingOptions } from '@tributary/sinks';
import {
  bootstrapServers,
  consumeAll,
  createTopics,
  produceAll,
  uniqueName,
  withAdmin,
} from '@tributary/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { parseCsv } from './csv.js';
import { type GeneratedEvent, generateEvents, MALFORMED_EVENTS } from './producer.js';
import { type ArchiveRow, expectedRows, listFiles, readCsvRows } from './test-output.js';
import { buildTopology } from './topology.js';

const DAY = 86_400_000;
const roots: string[] = [];
afterAll(async () => {
  for (const r of roots) await rm(r, { recursive: true, force: true });
});

/** Produces events + malformed records, runs the archive until every input offset is committed. */
async function archive(
  events: readonly GeneratedEvent[],
  rolling: RollingOptions,
  formats?: ('parquet' | 'csv')[],
) {
  const [input, dlq, applicationId] = [uniqueName('events'), uniqueName('events-dlq'), uniqueName('archive')];
  const out = await mkdtemp(join(tmpdir(), 'archive-it-'));
  roots.push(out);
  await createTopics([{ name: input, partitions: 3 }]);
  const bad = MALFORMED_EVENTS.map((v, i) => ({ key: `bad-${i}`, value: Buffer.from(v) }));
  const messages: { key: string; value: Buffer | string }[] = events.map((e) => ({
    key: e.key,
    value: JSON.stringify(e.value),
  }));
  for (const [i, b] of bad.entries()) messages.splice(1 + i * 200, 0, b);
  await produceAll(input, messages);
  const app = new Tributary(
    buildTopology({ inputTopic: input, outputDir: out, rolling, ...(formats ? { formats } : {}) }),
    {
      applicationId,
      bootstrapServers: bootstrapServers(),
      commitIntervalMs: 1000,
      errorPolicy: { mode: 'dead-letter', topic: dlq },
      logger: silentLogger,
    },
  );
  try {
    await app.start();
    // Done when the group's committed offsets reach the end of every input partition: files are
    // published before offsets are committed, so everything is on disk by then.
    const deadline = Date.now() + 45_000;
    for (;;) {
      const done = await withAdmin(async (admin) => {
        const ends = await admin.fetchTopicOffsets(input);
        const [committed] = await admin.fetchOffsets({ groupId: applicationId, topics: [input] });
        return ends.every(
          (e) => committed?.partitions.find((p) => p.partition === e.partition)?.offset === e.high,
        );
      });
      if (done) break;
      if (Date.now() > deadline) throw new Error('archive did not commit every input offset in time');
      await new Promise((r) => setTimeout(r, 500));
    }
  } finally {
    await app.close();
  }
  return { out, input, dlq, bad };
}

/** Files of one commit in one directory share a stem; rolling splits them into full files + a remainder. */
function checkRolling(rowsPerFile: Map<string, number>, maxRecords: number): number {
  const groups = new Map<string, number[]>();
  for (const [file, rows] of rowsPerFile) {
    const stem = join(dirname(file), basename(file).replace(/-\d+\.(parquet|csv)$/, ''));
    const seq = Number(/-(\d+)\.(parquet|csv)$/.exec(file)?.[1]);
    const g = groups.get(stem) ?? [];
    g[seq] = rows;
    groups.set(stem, g);
  }
  for (const [stem, sparse] of groups) {
    const counts = Array.from(sparse); // a missing seq shows up as undefined
    const total = counts.reduce((a: number, b) => a + (b ?? 0), 0);
    expect(counts.length, stem).toBe(Math.ceil(total / maxRecords));
    expect(counts.slice(0, -1), stem).toEqual(counts.slice(0, -1).map(() => maxRecords));
    expect(counts.at(-1), stem).toBeGreaterThan(0);
    expect(counts.at(-1), stem).toBeLessThanOrEqual(maxRecords);
  }
  return groups.size;
}

describe('events-archive on the real broker', () => {
  it('archives 3,000 events over 3 days to Parquet and CSV exactly once, by day, rolled at 150 rows', async () => {
    const events = generateEvents({ seed: 11, startMs: Date.UTC(2025, 10, 5), spanMs: 3 * DAY }, 3000);
    const want = expectedRows(events);
    expect(new Set(want.map((r) => r[7])).size).toBe(3);
    const { out, input, dlq, bad } = await archive(events, { maxRecords: 150 });

    // Parquet, through DuckDB with the dt column taken from the directories.
    const db = await DuckDBInstance.create(':memory:');
    const conn = await db.connect();
    try {
      const reader = await conn.runAndReadAll(
        `SELECT event_id, epoch_ms(ts) AS ts, value, source, lat, lon, device_id, CAST(dt AS VARCHAR) AS dt, filename
         FROM read_parquet('${out}/parquet/**/*.parquet', hive_partitioning = true, filename = true)`,
      );
      const rows = reader.getRowObjectsJS();
      const got = rows
        .map(
          (r): ArchiveRow => [
            String(r.event_id),
            Number(r.ts),
            r.value,
            r.source,
            r.lat,
            r.lon,
            r.device_id,
            String(r.dt),
          ],
        )
        .sort((a, b) => (a[0] < b[0] ? -1 : 1));
      expect(got).toEqual(want);
      for (const r of rows) expect(String(r.filename)).toContain(`/parquet/dt=${String(r.dt)}/`);
      const perFile = new Map<string, number>();
      for (const r of rows) perFile.set(String(r.filename), (perFile.get(String(r.filename)) ?? 0) + 1);
      expect(perFile.size).toBe((await listFiles(join(out, 'parquet'), '.parquet')).length);
      // More files than commit groups: some commits really were split by the row limit.
      expect(perFile.size).toBeGreaterThan(checkRolling(perFile, 150));
    } finally {
      conn.closeSync();
      db.closeSync();
    }

    // CSV, parsed as text: the same rows, each file under its rows' day.
    const { rows: csvRows, perFile } = await readCsvRows(out);
    expect(csvRows).toEqual(want);
    expect(perFile.size).toBeGreaterThan(checkRolling(perFile, 150));

    // The DLQ holds exactly the malformed inputs, byte for byte.
    const dead = await consumeAll(dlq, { count: bad.length, idleMs: 2000, timeoutMs: 20_000 });
    expect(dead.map((r) => [r.key?.toString(), r.value?.toString()]).sort()).toEqual(
      bad.map((b) => [b.key, b.value.toString()]).sort(),
    );
    for (const r of dead) {
      expect(r.headers[DLQ_HEADERS.topic]?.toString()).toBe(input);
      expect(['deserialization', 'processing']).toContain(r.headers[DLQ_HEADERS.stage]?.toString());
    }
  });

  it('keeps every CSV file under --max-file-bytes', async () => {
    const events = generateEvents({ seed: 12, startMs: Date.UTC(2025, 10, 5), spanMs: DAY }, 1000);
    const { out } = await archive(events, { maxBytes: 4096 }, ['csv']);
    const files = await listFiles(join(out, 'csv'), '.csv');
    let rows = 0;
    for (const f of files) {
      expect((await stat(f)).size).toBeLessThanOrEqual(4096);
      rows += parseCsv(await readFile(f, 'utf8')).length - 1;
    }
    expect(rows).toBe(1000);
    expect(files.length).toBeGreaterThanOrEqual(Math.ceil((await totalBytes(files)) / 4096));
  });
});

async function totalBytes(files: readonly string[]): Promise<number> {
  let n = 0;
  for (const f of files) n += (await stat(f)).size;
  return n;
}
