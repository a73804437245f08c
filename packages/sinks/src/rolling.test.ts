import { promises as fs } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { csvSink } from './csv-sink.js';
import { parquetSink } from './parquet-sink.js';
import {
  commit,
  listFiles,
  ManualClock,
  range,
  readParquet,
  removeTempRoots,
  tempRoot,
  testContext,
  writeAll,
} from './testing/harness.js';
import { parseCsvStrict } from './testing/rfc4180.js';

afterAll(removeTempRoots);

type Ev = { p: string; n: bigint };
const schema = [
  { name: 'p', type: 'string' },
  { name: 'n', type: 'int64' },
] as const;

/** `{file: [n, ...]}` for every CSV file below root. */
async function csvContents(root: string): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  for (const f of await listFiles(root)) {
    const records = parseCsvStrict(await fs.readFile(path.join(root, f), 'utf8'), '\r\n');
    out[f] = records.slice(1).map((r) => r[1]!.text);
  }
  return out;
}

const evs = (p: string, from: number, count: number): Ev[] =>
  Array.from({ length: count }, (_, i) => ({ p, n: BigInt(from + i) }));

describe('rolling', () => {
  it('maxRecords splits a commit into full files and requests a commit per full file', async () => {
    const root = await tempRoot();
    const sink = parquetSink<string, Ev>({ name: 's', path: root, schema, rolling: { maxRecords: 10 } });
    const ctx = testContext();
    const task = await sink.openTask(ctx);
    writeAll(task, evs('a', 0, 25));
    expect(ctx.commitRequests).toBe(2);
    await commit(task, [range(0n, 24n)]);
    const files = await listFiles(root);
    expect(files).toEqual([
      'part-0_0-in-0-0-24-0.parquet',
      'part-0_0-in-0-0-24-1.parquet',
      'part-0_0-in-0-0-24-2.parquet',
    ]);
    const contents = await Promise.all(files.map((f) => readParquet(path.join(root, f))));
    expect(contents.map((c) => c.map((r) => Number(r.n)))).toEqual([
      Array.from({ length: 10 }, (_, i) => i),
      Array.from({ length: 10 }, (_, i) => i + 10),
      Array.from({ length: 5 }, (_, i) => i + 20),
    ]);
  });

  it('maxBytes bounds every CSV file exactly (header included)', async () => {
    const root = await tempRoot();
    const header = 'p,n\r\n'.length; // 5 bytes
    const line = 'a,100\r\n'.length; // 7 bytes per row for n in 100..199
    const maxBytes = header + 3 * line + 3; // room for 3 rows, not 4
    const sink = csvSink<string, Ev>({ name: 's', path: root, schema, rolling: { maxBytes } });
    const ctx = testContext();
    const task = await sink.openTask(ctx);
    writeAll(task, evs('a', 100, 10));
    await commit(task, [range(0n, 9n)]);
    const contents = await csvContents(root);
    expect(Object.values(contents)).toEqual([
      ['100', '101', '102'],
      ['103', '104', '105'],
      ['106', '107', '108'],
      ['109'],
    ]);
    for (const f of Object.keys(contents)) {
      const { size } = await fs.stat(path.join(root, f));
      expect(size).toBeLessThanOrEqual(maxBytes);
    }
  });

  it('maxBytes rolls Parquet files on the encoded-size estimate', async () => {
    const root = await tempRoot();
    // One int64 column: 8 estimated bytes per row, so 64 bytes hold 8 rows.
    const sink = parquetSink<string, { n: bigint }>({
      name: 's',
      path: root,
      schema: [{ name: 'n', type: 'int64' }],
      rolling: { maxBytes: 64 },
    });
    const task = await sink.openTask(testContext());
    writeAll(
      task,
      Array.from({ length: 20 }, (_, i) => ({ n: BigInt(i) })),
    );
    await commit(task, [range(0n, 19n)]);
    const files = await listFiles(root);
    const counts = await Promise.all(files.map(async (f) => (await readParquet(path.join(root, f))).length));
    expect(counts).toEqual([8, 8, 4]);
  });

  it('maxAgeMs closes a file on tick by wall clock since its first row', async () => {
    const root = await tempRoot();
    const clock = new ManualClock(1_000_000);
    const ctx = testContext({ clock });
    const sink = csvSink<string, Ev>({
      name: 's',
      path: root,
      schema,
      partitionBy: ['p'],
      rolling: { maxAgeMs: 1000 },
    });
    const task = await sink.openTask(ctx);
    writeAll(task, evs('a', 0, 2));
    clock.time += 600;
    writeAll(task, evs('b', 10, 1));
    task.tick?.(clock.time);
    expect(ctx.commitRequests).toBe(0);
    clock.time += 400; // a is 1000 ms old, b 400 ms
    task.tick?.(clock.time);
    expect(ctx.commitRequests).toBe(1);
    writeAll(task, evs('a', 2, 1));
    writeAll(task, evs('b', 11, 1));
    await commit(task, [range(0n, 4n)]);
    expect(await csvContents(root)).toEqual({
      'p=a/part-0_0-in-0-0-4-0.csv': ['0', '1'],
      'p=a/part-0_0-in-0-0-4-1.csv': ['2'],
      'p=b/part-0_0-in-0-0-4-0.csv': ['10', '11'],
    });
  });

  it('maxOpenFiles closes the least recently written file', async () => {
    const root = await tempRoot();
    const ctx = testContext();
    const sink = csvSink<string, Ev>({
      name: 's',
      path: root,
      schema,
      partitionBy: ['p'],
      rolling: { maxOpenFiles: 2 },
    });
    const task = await sink.openTask(ctx);
    // a, b, a (b is now least recent), c evicts b, b evicts a.
    for (const e of [
      ...evs('a', 0, 1),
      ...evs('b', 10, 1),
      ...evs('a', 1, 1),
      ...evs('c', 20, 1),
      ...evs('b', 11, 1),
    ]) {
      writeAll(task, [e]);
    }
    expect(ctx.commitRequests).toBe(0);
    await commit(task, [range(0n, 4n)]);
    expect(await csvContents(root)).toEqual({
      'p=a/part-0_0-in-0-0-4-0.csv': ['0', '1'],
      'p=b/part-0_0-in-0-0-4-0.csv': ['10'],
      'p=b/part-0_0-in-0-0-4-1.csv': ['11'],
      'p=c/part-0_0-in-0-0-4-0.csv': ['20'],
    });
  });

  it('never lets a file span a commit: each commit publishes its own files', async () => {
    const root = await tempRoot();
    const sink = csvSink<string, Ev>({ name: 's', path: root, schema });
    const task = await sink.openTask(testContext());
    writeAll(task, evs('a', 0, 3), 'in', 0, 0n);
    await commit(task, [range(0n, 2n)]);
    writeAll(task, evs('a', 3, 2), 'in', 0, 3n);
    await commit(task, [range(3n, 4n)]);
    expect(await csvContents(root)).toEqual({
      'part-0_0-in-0-0-2-0.csv': ['0', '1', '2'],
      'part-0_0-in-0-3-4-0.csv': ['3', '4'],
    });
  });
});
