import { promises as fs } from 'node:fs';
import path from 'node:path';
import { errorMessage, type Logger, type OffsetRange, offsetKey, TributaryError } from '@tributary/core';
import { commitStem, fileName, parseTaskFile, tempName } from './file-naming.js';

export interface PreparedFile {
  readonly temp: string;
  readonly final: string;
}

export interface RecoveryResult {
  readonly removedTemp: readonly string[];
  readonly removedUncommitted: readonly string[];
}

// Bounded parallelism for file writes: enough to overlap fsyncs, few enough descriptors.
const ioConcurrency = 8;

async function forEachLimit<T>(items: readonly T[], fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(ioConcurrency, items.length) }, worker));
}

async function fsyncDir(dir: string): Promise<void> {
  const fh = await fs.open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

function sinkFailed(what: string, err: unknown): TributaryError {
  return new TributaryError('SINK_FAILED', `${what}: ${errorMessage(err)}`, { cause: err });
}

/**
 * The file side of the commit protocol for one task: temporary files at prepare, atomic rename at
 * publish, and crash recovery at open. Only files named for this task are ever touched.
 */
export class Committer {
  private prepared: PreparedFile[] = [];
  private lastStemTime = 0;

  constructor(
    private readonly root: string,
    private readonly taskId: string,
    private readonly ext: string,
    private readonly durable: boolean,
    private readonly logger: Logger,
  ) {}

  /**
   * Deletes this task's leftover temporary files, and its published files whose offsets were never
   * committed (published, then the process died before the offset commit): the replay from the
   * committed offset writes them again, so exactly one copy remains.
   */
  async recover(committed: ReadonlyMap<string, bigint>): Promise<RecoveryResult> {
    let entries: string[];
    try {
      entries = await fs.readdir(this.root, { recursive: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT')
        return { removedTemp: [], removedUncommitted: [] };
      throw sinkFailed(`scanning ${this.root}`, err);
    }
    const removedTemp: string[] = [];
    const removedUncommitted: string[] = [];
    for (const rel of entries) {
      const parsed = parseTaskFile(path.basename(rel), this.taskId, this.ext);
      if (!parsed) continue;
      if (parsed.temp) removedTemp.push(rel);
      else if (parsed.kind === 'range') {
        const next = committed.get(offsetKey(parsed.topic, parsed.partition));
        if (next === undefined || parsed.from >= next) removedUncommitted.push(rel);
      }
    }
    await forEachLimit([...removedTemp, ...removedUncommitted], async (rel) => {
      await fs.rm(path.join(this.root, rel), { force: true });
    });
    if (removedTemp.length + removedUncommitted.length > 0) {
      this.logger.info('sink recovered task files', {
        task: this.taskId,
        removedTemp: removedTemp.length,
        removedUncommitted: removedUncommitted.length,
      });
    }
    return { removedTemp, removedUncommitted };
  }

  /** Writes each file to its temporary name; `seq` numbers files per directory in order. */
  async prepare(
    files: readonly { dir: string; content: Uint8Array }[],
    ranges: readonly OffsetRange[],
    now: number,
  ): Promise<void> {
    if (files.length === 0) return;
    // Commits without an input range are named by time; keep such stems unique within the task.
    const at = Math.max(now, this.lastStemTime + 1);
    if (ranges.length === 0) this.lastStemTime = at;
    const stem = commitStem(this.taskId, ranges, at);
    const seqs = new Map<string, number>();
    const jobs = files.map((f) => {
      const seq = seqs.get(f.dir) ?? 0;
      seqs.set(f.dir, seq + 1);
      const dir = path.join(this.root, f.dir);
      const name = fileName(stem, seq, this.ext);
      return {
        dir,
        content: f.content,
        file: { temp: path.join(dir, tempName(name)), final: path.join(dir, name) },
      };
    });
    try {
      await forEachLimit([...new Set(jobs.map((j) => j.dir))], async (dir) => {
        await fs.mkdir(dir, { recursive: true });
      });
      await forEachLimit(jobs, async (job) => {
        // Registered before writing so abort() also removes a half-written file.
        this.prepared.push(job.file);
        const fh = await fs.open(job.file.temp, 'w');
        try {
          await fh.writeFile(job.content);
          if (this.durable) await fh.sync();
        } finally {
          await fh.close();
        }
      });
    } catch (err) {
      throw sinkFailed('writing temporary sink files', err);
    }
  }

  /** Renames every prepared file to its final name (atomic on one filesystem). */
  async publish(): Promise<readonly string[]> {
    const files = this.prepared;
    let renamed = 0;
    try {
      for (const f of files) {
        await fs.rename(f.temp, f.final);
        renamed++;
      }
      if (this.durable) await forEachLimit([...new Set(files.map((f) => path.dirname(f.final)))], fsyncDir);
    } catch (err) {
      // What is left can still be aborted; published ones are removed by recovery on restart.
      this.prepared = files.slice(renamed);
      throw sinkFailed('publishing sink files', err);
    }
    this.prepared = [];
    return files.map((f) => f.final);
  }

  /** Removes prepared, unpublished temporary files. */
  async abort(): Promise<void> {
    const files = this.prepared;
    this.prepared = [];
    await forEachLimit(files, async (f) => {
      await fs.rm(f.temp, { force: true });
    });
  }

  get preparedCount(): number {
    return this.prepared.length;
  }
}
