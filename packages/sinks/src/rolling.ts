import { TributaryError } from '@tributary/core';

export interface RollingOptions {
  /** Rows per file; a full file is closed and a commit requested. */
  readonly maxRecords?: number;
  /** Estimated bytes per file (exact for CSV, encoded-size estimate for Parquet). */
  readonly maxBytes?: number;
  /** Wall-clock ms since a file's first row; checked on tick(). */
  readonly maxAgeMs?: number;
  /** Open files per task; opening one more closes the least recently written one. */
  readonly maxOpenFiles?: number;
}

export interface RollingLimits {
  readonly maxRecords: number;
  readonly maxBytes: number;
  readonly maxAgeMs: number;
  readonly maxOpenFiles: number;
}

export function rollingLimits(o: RollingOptions = {}): RollingLimits {
  const check = (name: keyof RollingOptions): number => {
    const v = o[name];
    if (v === undefined) return Number.POSITIVE_INFINITY;
    if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0) {
      throw new TributaryError(
        'CONFIG_INVALID',
        `rolling.${name} must be a positive integer, got ${String(v)}`,
      );
    }
    return v;
  };
  return {
    maxRecords: check('maxRecords'),
    maxBytes: check('maxBytes'),
    maxAgeMs: check('maxAgeMs'),
    maxOpenFiles: check('maxOpenFiles'),
  };
}

export type RollReason = 'records' | 'bytes' | 'age' | 'evicted' | 'commit';

interface OpenFile<R> {
  readonly dir: string;
  readonly rows: R[];
  bytes: number;
  readonly openedAt: number;
}

/** A closed file: finalized content (e.g. Parquet bytes) waiting for the next commit. */
export interface ClosedFile<F> {
  readonly dir: string;
  readonly rows: number;
  readonly content: F;
}

export interface RollingHooks<R, F> {
  /** Bytes a file holds before its first row (a CSV header). */
  readonly baseBytes: number;
  /** Finalizes a file's rows into its content; called when the file closes (sync, no I/O). */
  finalize(dir: string, rows: R[]): F;
  /** A file filled up or aged out: the runtime should commit soon. */
  onRolled(reason: RollReason): void;
  now(): number;
}

/**
 * The open files of one task, one per partition directory, in least-recently-written order.
 * Files close when a limit is hit and at every commit (`drain`), so a file never spans a commit.
 */
export class RollingFiles<R, F> {
  private readonly open = new Map<string, OpenFile<R>>();
  private closed: ClosedFile<F>[] = [];
  private failure: unknown;

  constructor(
    private readonly limits: RollingLimits,
    private readonly hooks: RollingHooks<R, F>,
  ) {}

  add(dir: string, row: R, bytes: number): void {
    let file = this.open.get(dir);
    if (file) {
      this.open.delete(dir);
      if (file.bytes + bytes > this.limits.maxBytes) {
        this.close(file, 'bytes');
        file = undefined;
      } else {
        this.open.set(dir, file); // move to the most recently written end
      }
    }
    if (!file) {
      if (this.open.size >= this.limits.maxOpenFiles) {
        const lru = this.open.values().next().value;
        if (lru) {
          this.open.delete(lru.dir);
          this.close(lru, 'evicted');
        }
      }
      file = { dir, rows: [], bytes: this.hooks.baseBytes, openedAt: this.hooks.now() };
      this.open.set(dir, file);
    }
    file.rows.push(row);
    file.bytes += bytes;
    if (file.rows.length >= this.limits.maxRecords) this.closeOpen(file, 'records');
    else if (file.bytes >= this.limits.maxBytes) this.closeOpen(file, 'bytes');
  }

  /** Closes files older than maxAgeMs. */
  tick(now: number): void {
    if (this.limits.maxAgeMs === Number.POSITIVE_INFINITY) return;
    for (const file of [...this.open.values()]) {
      if (now - file.openedAt >= this.limits.maxAgeMs) this.closeOpen(file, 'age');
    }
  }

  /** Closes every open file and hands over all closed files, oldest first. */
  drain(): ClosedFile<F>[] {
    for (const file of [...this.open.values()]) this.closeOpen(file, 'commit');
    const out = this.closed;
    this.closed = [];
    const failure = this.failure;
    this.failure = undefined;
    if (failure !== undefined) {
      throw new TributaryError('SINK_FAILED', 'finalizing a file failed', { cause: failure });
    }
    return out;
  }

  /** Drops everything buffered; returns the number of rows dropped. */
  clear(): number {
    let rows = 0;
    for (const f of this.open.values()) rows += f.rows.length;
    for (const f of this.closed) rows += f.rows;
    this.open.clear();
    this.closed = [];
    this.failure = undefined;
    return rows;
  }

  get openFiles(): number {
    return this.open.size;
  }

  private closeOpen(file: OpenFile<R>, reason: RollReason): void {
    this.open.delete(file.dir);
    this.close(file, reason);
  }

  private close(file: OpenFile<R>, reason: RollReason): void {
    try {
      this.closed.push({
        dir: file.dir,
        rows: file.rows.length,
        content: this.hooks.finalize(file.dir, file.rows),
      });
    } catch (err) {
      // Reported at the next commit, where a failure fails the commit instead of blaming one record.
      this.failure ??= err;
    }
    if (reason === 'records' || reason === 'bytes' || reason === 'age') this.hooks.onRolled(reason);
  }
}
