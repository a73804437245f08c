import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { DLQ_HEADERS, Serdes } from '@tributary/core';
import { TopologyTestDriver } from '@tributary/core/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { parseCsv } from './csv.js';
import { parseEvent, parseTimestamp } from './event.js';
import { generateEvents, MALFORMED_EVENTS } from './producer.js';
import { buildTopology } from './topology.js';

const roots: string[] = [];
afterAll(async () => {
  for (const r of roots) await rm(r, { recursive: true, force: true });
});

async function files(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => relative(root, join(e.parentPath, e.name)))
    .sort();
}

describe('event parsing', () => {
  it('reads every accepted ts format as the same instant', () => {
    const ms = Date.UTC(2025, 10, 6, 12, 30, 5);
    for (const ts of [ms, '2025-11-06T12:30:05Z', '2025-11-06T12:30:05.000Z', '2025-11-06 12:30:05']) {
      expect(parseTimestamp(ts)).toBe(ms);
    }
    expect(parseTimestamp('2025-11-06T18:00:05+05:30')).toBe(ms);
    expect(parseTimestamp('2025-11-06T07:30:05-0500')).toBe(ms);
    expect(parseTimestamp('2025-11-06T12:30:05.1239Z')).toBe(ms + 123);
    for (const bad of ['2025-02-29T00:00:00Z', '2025-11-06T24:00:00Z', '2025-11-06', 1.5, -1, null, '']) {
      expect(() => parseTimestamp(bad), String(bad)).toThrow();
    }
  });

  it('accepts value and location events and normalizes missing fields to null', () => {
    expect(parseEvent({ event_id: 'a', ts: 5, value: null })).toEqual({
      event_id: 'a',
      ts: 5,
      value: null,
      source: null,
      lat: null,
      lon: null,
      device_id: null,
    });
    expect(parseEvent({ event_id: 'b', ts: 5, lat: -90, lon: 180, device_id: 'd' })).toMatchObject({
      lat: -90,
      lon: 180,
      device_id: 'd',
      value: null,
    });
  });

  it('rejects every malformed sample that is valid JSON', () => {
    for (const bad of MALFORMED_EVENTS) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(bad);
      } catch {
        continue;
      }
      expect(() => parseEvent(parsed), bad).toThrow();
    }
  });
});

describe('events-archive topology', () => {
  it('writes Parquet and CSV under dt=<UTC day> and dead-letters bad records', async () => {
    const root = await mkdtemp(join(tmpdir(), 'archive-unit-'));
    roots.push(root);
    const driver = await TopologyTestDriver.create(
      buildTopology({ inputTopic: 'in', outputDir: root, rolling: { maxRecords: 4 } }),
      { errorPolicy: { mode: 'dead-letter', topic: 'dlq' } },
    );
    const input = driver.createInputTopic('in', Serdes.string(), Serdes.string());
    const events = generateEvents({ seed: 5, startMs: Date.UTC(2025, 10, 5), spanMs: 2 * 86_400_000 }, 10);
    for (const e of events) await input.pipeInput(e.key, JSON.stringify(e.value));
    await input.pipeRaw(Buffer.from('bad'), Buffer.from(MALFORMED_EVENTS[0]!));
    await driver.commit();
    await driver.close();

    const dlq = driver.createOutputTopic('dlq', Serdes.string(), Serdes.string()).readRecordsToList();
    expect(dlq.map((r) => [r.value, String(r.headers[DLQ_HEADERS.stage])])).toEqual([
      [MALFORMED_EVENTS[0], 'deserialization'],
    ]);

    const written = await files(root);
    const days = new Set(events.map((e) => new Date(e.tsMs).toISOString().slice(0, 10)));
    expect(new Set(written.map((f) => f.split('/').slice(0, 2).join('/')))).toEqual(
      new Set([...days].flatMap((d) => [`parquet/dt=${d}`, `csv/dt=${d}`])),
    );
    const csvRows: (string | null)[][] = [];
    for (const f of written.filter((f) => f.endsWith('.csv'))) {
      const [header, ...rows] = parseCsv(await readFile(join(root, f), 'utf8'));
      expect(header).toEqual(['event_id', 'ts', 'value', 'source', 'lat', 'lon', 'device_id']);
      expect(rows.length).toBeLessThanOrEqual(4);
      for (const r of rows) expect(f).toContain(`dt=${r[1]!.slice(0, 10)}/`);
      csvRows.push(...rows);
    }
    expect(csvRows.map((r) => [r[0], Date.parse(r[1]!)]).sort()).toEqual(
      events.map((e) => [e.key, e.tsMs]).sort(),
    );
  });
});
