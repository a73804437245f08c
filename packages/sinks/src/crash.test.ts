import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { csvSink } from './csv-sink.js';
import { crashSink, type Ev, eventsBetween } from './testing/crash-fixture.js';
import {
  commit,
  committedAt,
  duckdb,
  listFiles,
  range,
  readParquet,
  removeTempRoots,
  sqlString,
  tempRoot,
  testContext,
  writeAll,
} from './testing/harness.js';

afterAll(removeTempRoots);

const isTemp = (f: string) => path.basename(f).startsWith('.') && f.endsWith('.tmp');

/** Every id in the published Parquet files, sorted; duplicates stay visible. */
async function publishedIds(root: string): Promise<number[]> {
  const ids: number[] = [];
  for (const f of await listFiles(root)) {
    if (isTemp(f)) continue;
    for (const r of await readParquet(path.join(root, f))) {
      ids.push(Number(r.id));
      // Every row sits in the directory of its own partition value.
      expect(f.startsWith(`p=${r.p}/`)).toBe(true);
    }
  }
  return ids.sort((a, b) => a - b);
}

const ids = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

/** A clean run: offsets 0..49 written and committed, so the committed offset is 50. */
async function committedFirstHalf(root: string) {
  const task = await crashSink(root).openTask(testContext());
  writeAll(task, eventsBetween(0, 49));
  await commit(task, [range(0n, 49n)]);
  await task.close();
}

/** Restart at committed offset 50 and replay 50..99, in different batches than before. */
async function restartAndReplay(root: string) {
  const task = await crashSink(root).openTask(testContext({ committed: committedAt(50n) }));
  expect((await listFiles(root)).filter(isTemp)).toEqual([]);
  expect(await publishedIds(root)).toEqual(ids(0, 49));
  writeAll(task, eventsBetween(50, 79), 'in', 0, 50n);
  await commit(task, [range(50n, 79n)]);
  writeAll(task, eventsBetween(80, 99), 'in', 0, 80n);
  await commit(task, [range(80n, 99n)]);
  await task.close();
  expect((await listFiles(root)).filter(isTemp)).toEqual([]);
  expect(await publishedIds(root)).toEqual(ids(0, 99));
}

describe('crash recovery (abandoned task objects)', () => {
  it('(a) killed between prepare and publish: temp files removed, replay leaves one copy', async () => {
    const root = await tempRoot();
    await committedFirstHalf(root);
    const crashed = await crashSink(root).openTask(testContext({ committed: committedAt(50n) }));
    writeAll(crashed, eventsBetween(50, 99), 'in', 0, 50n);
    await crashed.prepare([range(50n, 99n)]);
    expect((await listFiles(root)).filter(isTemp).length).toBeGreaterThan(0);
    await restartAndReplay(root);
  });

  it('(b) killed between publish and offset commit: uncommitted files removed, replay leaves one copy', async () => {
    const root = await tempRoot();
    await committedFirstHalf(root);
    const crashed = await crashSink(root).openTask(testContext({ committed: committedAt(50n) }));
    writeAll(crashed, eventsBetween(50, 99), 'in', 0, 50n);
    await commit(crashed, [range(50n, 99n)]);
    expect(await publishedIds(root)).toEqual(ids(0, 99));
    await restartAndReplay(root);
    const db = await duckdb();
    const counts = await db.query(
      `SELECT count(*) AS n, count(DISTINCT id) AS d FROM read_parquet(${sqlString(`${root}/**/*.parquet`)})`,
    );
    db.close();
    expect(counts).toEqual([{ n: 100n, d: 100n }]);
  });

  it('with nothing ever committed, every published file of the task is uncommitted', async () => {
    const root = await tempRoot();
    const crashed = await crashSink(root).openTask(testContext());
    writeAll(crashed, eventsBetween(0, 20));
    await commit(crashed, [range(0n, 20n)]);
    await crashSink(root).openTask(testContext());
    expect(await listFiles(root)).toEqual([]);
  });

  it("never touches another task's files, temporary or not", async () => {
    const root = await tempRoot();
    const other = await crashSink(root).openTask(testContext({ taskId: '0_1' }));
    writeAll(other, eventsBetween(0, 9), 'in', 1);
    await commit(other, [range(0n, 9n, 'in', 1)]);
    writeAll(other, eventsBetween(10, 19), 'in', 1, 10n);
    await other.prepare([range(10n, 19n, 'in', 1)]);
    const before = await listFiles(root);
    expect(before.filter(isTemp).length).toBeGreaterThan(0);
    // Task 0_10 shares the prefix "0_1" textually; its recovery must still leave 0_1 alone.
    await crashSink(root).openTask(testContext({ taskId: '0_10', committed: {} }));
    await crashSink(root).openTask(testContext({ taskId: '0_0', committed: {} }));
    expect(await listFiles(root)).toEqual(before);
  });

  it('handles topics with dashes and several source partitions per commit', async () => {
    const root = await tempRoot();
    const schema = [{ name: 'id', type: 'int64' }] as const;
    const sink = csvSink<string, Pick<Ev, 'id'>>({ name: 'c', path: root, schema });
    const task = await sink.openTask(testContext());
    writeAll(task, [{ id: 1n }], 'view-log', 2, 7n);
    writeAll(task, [{ id: 2n }], 'campaigns', 0, 3n);
    await commit(task, [range(7n, 7n, 'view-log', 2), range(3n, 3n, 'campaigns', 0)]);
    expect(await listFiles(root)).toEqual(['part-0_0-campaigns-0-3-3-0.csv']);
    // campaigns:0 committed up to 4 (the commit went through): the file is kept.
    await sink.openTask(testContext({ committed: { 'campaigns:0': 4n, 'view-log:2': 8n } }));
    expect(await listFiles(root)).toHaveLength(1);
    // campaigns:0 committed only up to 3: the file's offsets were never committed.
    await sink.openTask(testContext({ committed: { 'campaigns:0': 3n, 'view-log:2': 7n } }));
    expect(await listFiles(root)).toEqual([]);
    writeAll(task, [{ id: 3n }], 'view-log', 2, 8n);
    await commit(task, [range(8n, 8n, 'view-log', 2)]);
    expect(await listFiles(root)).toEqual(['part-0_0-view%2Dlog-2-8-8-0.csv']);
  });

  it('names commits without an input range by time and keeps them on recovery', async () => {
    const root = await tempRoot();
    const task = await crashSink(root).openTask(testContext());
    writeAll(task, [eventsBetween(0, 0)[0]!]);
    await commit(task, []);
    const files = await listFiles(root);
    expect(files).toEqual([`p=p0/part-0_0-t${testContext().clock.now()}-0.parquet`]);
    await crashSink(root).openTask(testContext());
    expect(await listFiles(root)).toEqual(files);
  });

  it('abort() removes prepared temp files and drops the buffered rows', async () => {
    const root = await tempRoot();
    const task = await crashSink(root).openTask(testContext());
    writeAll(task, eventsBetween(0, 9));
    await task.prepare([range(0n, 9n)]);
    writeAll(task, eventsBetween(10, 12), 'in', 0, 10n);
    await task.abort();
    expect(await listFiles(root)).toEqual([]);
    await commit(task, [range(0n, 9n)]);
    expect(await listFiles(root)).toEqual([]);
  });
});

const child = fileURLToPath(new URL('./testing/crash-child.ts', import.meta.url));

function runChildUntilKilled(args: string[]): Promise<{ signal: NodeJS.Signals | null; stdout: string }> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, ['--import', 'tsx', child, ...args], {
      cwd: path.dirname(child),
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let stdout = '';
    proc.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    proc.on('error', reject);
    proc.on('exit', (_code, signal) => resolve({ signal, stdout }));
  });
}

describe('crash recovery (real process killed with SIGKILL)', () => {
  for (const mode of ['prepare', 'publish'] as const) {
    it(`killed after ${mode}: restart and replay leave exactly one copy, no temp files`, async () => {
      const root = await tempRoot();
      await committedFirstHalf(root);
      const { signal, stdout } = await runChildUntilKilled([root, mode, '50', '99', '50']);
      expect(signal).toBe('SIGKILL');
      expect(stdout).toBe('ready\n');
      const files = await listFiles(root);
      if (mode === 'prepare') expect(files.filter(isTemp).length).toBeGreaterThan(0);
      else expect(await publishedIds(root)).toEqual(ids(0, 99));
      await restartAndReplay(root);
      await fs.rm(root, { recursive: true });
    }, 30_000);
  }
});
