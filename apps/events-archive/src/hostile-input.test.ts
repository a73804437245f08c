import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  badRecordTimes,
  fuzzOnDriver,
  fuzzRecords,
  GENERIC_HOSTILE,
  genericReasons,
  type HostileMaker,
} from '@tributary/app-kit/testing';
import { describe, expect, it } from 'vitest';
import { parseCsv } from './csv.js';
import { buildTopology } from './topology.js';

const NOW = Date.UTC(2026, 5, 1);

const BAD_TIME = badRecordTimes(NOW);

const EVENT_KINDS: Record<string, HostileMaker> = {
  'ts before 1970': (r, v) =>
    Buffer.from(JSON.stringify({ ...v, ts: r() < 0.5 ? -1 : '1969-12-31T23:59:59Z' })),
  'ts beyond year 9999': (r, v) =>
    Buffer.from(JSON.stringify({ ...v, ts: r() < 0.5 ? Date.UTC(10_000, 0, 1) : 8_640_000_000_000_001 })),
  'ts beyond 2^53': (_r, v) => Buffer.from(JSON.stringify({ ...v, ts: 2 ** 53 + 2 })),
  ...BAD_TIME.kinds,
};

/** The stage and reason of each kind: `validate` refuses what is not an event (stage processing). */
const REASONS = {
  ...genericReasons(/^processing: (event must be a JSON object|event_id must be a non-empty string)/),
  'ts before 1970': /^processing: ts out of range \(1970\.\.9999\): (-1|"1969-12-31T23:59:59Z")$/,
  'ts beyond year 9999': /^processing: ts out of range \(1970\.\.9999\): (253402300800000|8640000000000001)$/,
  'ts beyond 2^53': /^processing: ts out of range \(1970\.\.9999\): 9007199254740994$/,
  ...BAD_TIME.reasons,
};

describe('events-archive on hostile input (seeded fuzz, TopologyTestDriver)', () => {
  it('10,000 hostile records among 3,000 events: the CSV archive holds exactly the valid events, the DLQ exactly the hostile ones', async () => {
    const root = await mkdtemp(join(tmpdir(), 'archive-hostile-'));
    const records = fuzzRecords({
      seed: 9,
      validCount: 3000,
      hostileCount: 10_000,
      nearLimit: 3,
      kinds: { ...GENERIC_HOSTILE, ...EVENT_KINDS },
      now: NOW,
      times: BAD_TIME.times,
      makeValid: (i, rnd) => ({
        event_id: `e-${i}-${Math.floor(rnd() * 1e9)}`,
        // Mostly recent; a few far ahead (year 9000) or at the epoch: odd, but inside the contract.
        ts:
          i % 50 === 0
            ? Date.UTC(9000, 0, 1) + i
            : i % 51 === 0
              ? 0
              : NOW - Math.floor(rnd() * 3 * 86_400_000),
        // Beyond 2^53 is a double like any other here: archived as the nearest double.
        value: i % 13 === 0 ? 2 ** 53 + 2 : Math.round(rnd() * 1e6) / 100,
        ...(i % 11 === 0 ? { constructor: 'plain data' } : {}),
      }),
    });
    const { problems } = await fuzzOnDriver({
      name: 'events-archive',
      topology: buildTopology({
        inputTopic: 'in',
        outputDir: root,
        formats: ['csv'],
        rolling: { maxRecords: 5000 },
      }),
      records,
      now: NOW,
      reasons: REASONS,
      settle: async (d) => {
        await d.commit();
        await d.close();
      },
    });
    expect(problems).toEqual([]);

    const expected = records
      .filter((r) => r.kind === 'valid')
      .map((r) => {
        const e = JSON.parse((r.value as Buffer).toString()) as { event_id: string; ts: number };
        return `${e.event_id}@${e.ts}`;
      })
      .sort();
    const archived: string[] = [];
    const entries = await readdir(root, { recursive: true, withFileTypes: true });
    for (const f of entries.filter((e) => e.isFile() && e.name.endsWith('.csv'))) {
      const [, ...rows] = parseCsv(await readFile(join(f.parentPath, f.name), 'utf8'));
      for (const row of rows) archived.push(`${row[0]}@${Date.parse(row[1] as string)}`);
    }
    expect(archived.sort()).toEqual(expected);
    await rm(root, { recursive: true, force: true });
  });
});
