// Test support: a SinkTaskContext without a runtime, temp dirs, and two independent Parquet readers.
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import {
  type Clock,
  type OffsetRange,
  offsetKey,
  record,
  type SinkTask,
  type SinkTaskContext,
  silentLogger,
} from '@tributary/core';
import { parquetReadObjects } from 'hyparquet';

export class ManualClock implements Clock {
  constructor(public time = 1_762_432_200_000) {}
  now(): number {
    return this.time;
  }
}

export interface TestContext extends SinkTaskContext {
  commitRequests: number;
}

export function testContext(
  opts: { taskId?: string; committed?: Record<string, bigint>; clock?: Clock } = {},
): TestContext {
  const ctx = {
    applicationId: 'app',
    taskId: opts.taskId ?? '0_0',
    committedOffsets: new Map(Object.entries(opts.committed ?? {})),
    commitRequests: 0,
    requestCommit() {
      ctx.commitRequests++;
    },
    logger: silentLogger,
    clock: opts.clock ?? new ManualClock(),
  };
  return ctx;
}

const roots: string[] = [];

export async function tempRoot(prefix = 'tributary-sinks-'): Promise<string> {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), prefix));
  roots.push(root);
  return root;
}

/** Removes every directory tempRoot() made in this test file (call from afterAll). */
export async function removeTempRoots(): Promise<void> {
  await Promise.all(roots.splice(0).map((r) => fs.rm(r, { recursive: true, force: true })));
}

/** All files below root, relative, sorted. */
export async function listFiles(root: string): Promise<string[]> {
  const entries = await fs.readdir(root, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => path.relative(root, path.join(e.parentPath, e.name)))
    .sort();
}

/** Writes values as records of `topic`/`partition` with consecutive offsets from `from`. */
export function writeAll<V>(
  task: SinkTask<string, V>,
  values: readonly V[],
  topic = 'in',
  partition = 0,
  from = 0n,
) {
  values.forEach((v, i) => {
    task.write(record('k', v, 0), { topic, partition, offset: from + BigInt(i) });
  });
}

export function range(from: bigint, to: bigint, topic = 'in', partition = 0): OffsetRange {
  return { topic, partition, from, to };
}

export async function commit(task: SinkTask<string, unknown>, ranges: readonly OffsetRange[]) {
  await task.prepare(ranges);
  await task.publish();
}

export function committedAt(next: bigint, topic = 'in', partition = 0): Record<string, bigint> {
  return { [offsetKey(topic, partition)]: next };
}

export async function readParquet(file: string): Promise<Record<string, unknown>[]> {
  const buf = await fs.readFile(file);
  const ab = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer;
  return parquetReadObjects({ file: ab });
}

export async function duckdb() {
  const instance = await DuckDBInstance.create(':memory:');
  const conn = await instance.connect();
  return {
    async query(sql: string): Promise<Record<string, unknown>[]> {
      const reader = await conn.runAndReadAll(sql);
      return reader.getRowObjectsJS() as Record<string, unknown>[];
    },
    close() {
      conn.closeSync();
      instance.closeSync();
    },
  };
}

export const sqlString = (s: string) => `'${s.replaceAll("'", "''")}'`;
