import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type RestoreProgress,
  Serdes,
  type StateBackend,
  type StoreDefinition,
  silentLogger,
  type TaskStateContext,
  type TaskStores,
} from '@tributary/core';
import { type BackendOptions, inMemoryBackend } from '@tributary/core/state';
import type { InMemoryChangelog } from '@tributary/core/testing';
import { levelDbBackend } from '../backends.js';

export const APP = 'app';
export const TASK = '0_3';
export const PARTITION = 3;

/** A backend under test plus a fresh state directory; `stateDir` is undefined for in-memory. */
export interface BackendFixture {
  readonly backend: StateBackend;
  readonly stateDir: string | undefined;
  cleanup(): Promise<void>;
}

export interface BackendFactory {
  readonly name: string;
  make(options?: BackendOptions): Promise<BackendFixture>;
}

export const levelDbFactory: BackendFactory = {
  name: 'leveldb',
  async make(options = {}) {
    const stateDir = await mkdtemp(join(tmpdir(), 'tributary-state-'));
    return {
      backend: levelDbBackend({ ...options, stateDir }),
      stateDir,
      cleanup: () => rm(stateDir, { recursive: true, force: true }),
    };
  },
};

export const inMemoryFactory: BackendFactory = {
  name: 'in-memory',
  async make(options = {}) {
    return { backend: inMemoryBackend(options), stateDir: undefined, cleanup: async () => {} };
  },
};

export function kvDefinition(
  name: string,
  caching: boolean,
  logging = true,
): StoreDefinition<string, unknown> {
  return {
    name,
    kind: 'key-value',
    keySerde: Serdes.string(),
    valueSerde: Serdes.msgpack(),
    logging,
    caching,
  };
}

export function windowDefinition(
  name: string,
  caching: boolean,
  retentionMs?: number,
): StoreDefinition<string, unknown> {
  const base = { name, kind: 'window' as const, keySerde: Serdes.string(), valueSerde: Serdes.msgpack() };
  return {
    ...base,
    logging: true,
    caching,
    windowSizeMs: 60_000,
    ...(retentionMs === undefined ? {} : { retentionMs }),
  };
}

export interface OpenOptions {
  readonly exactlyOnce?: boolean;
  readonly applicationId?: string;
  readonly events?: RestoreProgress[];
  readonly signal?: AbortSignal;
  readonly onRestoreProgress?: (event: RestoreProgress) => void;
}

export function taskContext(
  changelog: InMemoryChangelog,
  stores: readonly StoreDefinition<string, unknown>[],
  options: OpenOptions = {},
): TaskStateContext {
  const events = options.events;
  return {
    applicationId: options.applicationId ?? APP,
    taskId: TASK,
    partition: PARTITION,
    stores,
    changelogReader: changelog,
    exactlyOnce: options.exactlyOnce ?? false,
    logger: silentLogger,
    onRestoreProgress: (e) => {
      events?.push(e);
      options.onRestoreProgress?.(e);
    },
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  };
}

export function openTask(
  fixture: BackendFixture,
  changelog: InMemoryChangelog,
  stores: readonly StoreDefinition<string, unknown>[],
  options: OpenOptions = {},
): Promise<TaskStores> {
  return fixture.backend.openTask(taskContext(changelog, stores, options));
}

/** Flushes and "produces" the records, then checkpoints, as the runtime's commit does. */
export async function commit(task: TaskStores, changelog: InMemoryChangelog, transactional = false) {
  const records = await task.flush();
  const offsets = changelog.append(records, { transactional });
  await task.checkpoint(offsets);
  return records;
}

export async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

export function byteOrder(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}
