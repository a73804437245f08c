import { rm } from 'node:fs/promises';
import { TributaryError } from '@tributary/core';
import {
  type BytesEntry,
  type BytesStore,
  keyId,
  type RangeOptions,
  type WriteOp,
} from '@tributary/core/state';
import { ClassicLevel } from 'classic-level';

type Db = ClassicLevel<Buffer, Buffer>;

const CHUNK = 1000;
// nextv stops early once this many bytes are buffered; 1 MiB lets a 1000-entry chunk fill.
const HIGH_WATER_MARK_BYTES = 1 << 20;

export interface OpenedLevelDb {
  readonly store: LevelDbBytesStore;
  /** True when the directory held a corrupt database that was deleted and recreated empty. */
  readonly recreated: boolean;
}

/** Bytes store over classic-level (LevelDB); keys and values are raw Buffers. */
export class LevelDbBytesStore implements BytesStore {
  private count = 0;

  private constructor(
    readonly name: string,
    readonly location: string,
    private readonly db: Db,
  ) {}

  /**
   * Opens (creating if missing) the database at `location`. A corrupt database is never repaired
   * in place: it is deleted and recreated, and the caller restores it from the changelog.
   */
  static async open(name: string, location: string, tuning: LevelDbTuning = {}): Promise<OpenedLevelDb> {
    let recreated = false;
    let db: Db;
    try {
      db = await openDb(location, tuning);
    } catch (err) {
      if (!isCorruption(err)) throw openError(name, location, err);
      await LevelDbBytesStore.destroy(location);
      recreated = true;
      try {
        db = await openDb(location, tuning);
      } catch (again) {
        throw new TributaryError('STORE_CORRUPT', `store ${name}: cannot recreate ${location}`, {
          cause: again,
        });
      }
    }
    const store = new LevelDbBytesStore(name, location, db);
    store.count = await countKeys(db);
    return { store, recreated };
  }

  /** Deletes the database directory (the store must be closed). */
  static async destroy(location: string): Promise<void> {
    await rm(location, { recursive: true, force: true });
  }

  get(key: Buffer): Buffer | undefined {
    return this.db.getSync(key);
  }

  async write(ops: readonly WriteOp[]): Promise<void> {
    if (ops.length === 0) return;
    await this.trackCount(ops);
    await this.db.batch(
      ops.map((op) =>
        op.value === null
          ? { type: 'del' as const, key: op.key }
          : { type: 'put' as const, key: op.key, value: op.value },
      ),
    );
  }

  async *range(options: RangeOptions = {}): AsyncIterable<readonly BytesEntry[]> {
    const bounds: { gte?: Buffer; lte?: Buffer } = {};
    if (options.from !== undefined) bounds.gte = options.from;
    if (options.to !== undefined) bounds.lte = options.to;
    const it = this.db.iterator({ ...bounds, highWaterMarkBytes: HIGH_WATER_MARK_BYTES });
    try {
      while (true) {
        const chunk = await it.nextv(CHUNK);
        if (chunk.length === 0) return;
        yield chunk as BytesEntry[];
      }
    } finally {
      await it.close();
    }
  }

  approximateCount(): number {
    return this.count;
  }

  async close(): Promise<void> {
    if (this.db.status === 'open' || this.db.status === 'opening') await this.db.close();
  }

  /** Exact key count: one native hasMany per batch, replayed in op order (a batch may repeat keys). */
  private async trackCount(ops: readonly WriteOp[]): Promise<void> {
    const unique = new Map<string, Buffer>();
    for (const op of ops) unique.set(keyId(op.key), op.key);
    const present = await this.db.hasMany([...unique.values()]);
    const exists = new Map<string, boolean>();
    let i = 0;
    for (const id of unique.keys()) exists.set(id, present[i++] === true);
    for (const op of ops) {
      const id = keyId(op.key);
      const had = exists.get(id) === true;
      if (op.value === null && had) this.count--;
      if (op.value !== null && !had) this.count++;
      exists.set(id, op.value !== null);
    }
  }
}

/**
 * Per-database memory of LevelDB. A task opens one database per store, so the library defaults
 * (8 MiB block cache, 4 MiB write buffer) multiply: 16 stores may hold up to ~190 MiB. The caching layer above
 * already keeps hot entries in memory, so smaller LevelDB buffers cost little (see state README).
 */
export interface LevelDbTuning {
  /** LRU block cache per store. Default 1 MiB. */
  readonly cacheSizeBytes?: number;
  /** Memtable size per store before it is written to a level-0 file. Default 1 MiB. */
  readonly writeBufferSizeBytes?: number;
}

async function openDb(location: string, tuning: LevelDbTuning): Promise<Db> {
  const db = new ClassicLevel<Buffer, Buffer>(location, {
    keyEncoding: 'buffer',
    valueEncoding: 'buffer',
    cacheSize: tuning.cacheSizeBytes ?? 1024 * 1024,
    writeBufferSize: tuning.writeBufferSizeBytes ?? 1024 * 1024,
  });
  await db.open();
  return db;
}

async function countKeys(db: Db): Promise<number> {
  let n = 0;
  const it = db.keys({ highWaterMarkBytes: HIGH_WATER_MARK_BYTES });
  try {
    while (true) {
      const keys = await it.nextv(CHUNK * 10);
      if (keys.length === 0) return n;
      n += keys.length;
    }
  } finally {
    await it.close();
  }
}

function errorCodes(err: unknown): string[] {
  const codes: string[] = [];
  for (let e: unknown = err; e instanceof Error; e = e.cause) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') codes.push(code);
  }
  return codes;
}

function isCorruption(err: unknown): boolean {
  return errorCodes(err).includes('LEVEL_CORRUPTION');
}

function openError(name: string, location: string, err: unknown): TributaryError {
  const locked = errorCodes(err).includes('LEVEL_LOCKED');
  const why = locked ? 'is locked by another open store' : 'cannot be opened';
  return new TributaryError(
    locked ? 'ILLEGAL_STATE' : 'RESTORE_FAILED',
    `store ${name}: ${location} ${why}`,
    {
      cause: err,
    },
  );
}
