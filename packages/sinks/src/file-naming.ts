import type { OffsetRange } from '@tributary/core';

/**
 * File names carry the task and the input offsets they were written for, so a restarted task can
 * find (by a directory scan) exactly the files it published for offsets that were never committed:
 *
 *   part-<task>-<topic>-<partition>-<fromOffset>-<toOffset>-<seq>.<ext>   (offset range of the commit)
 *   part-<task>-t<epochMs>-<seq>.<ext>                                     (commit with no input range)
 *
 * Task and topic are escaped so '-' is never ambiguous. When a commit covers several source
 * partitions, the name uses the first range in (topic, partition) order: all ranges of one commit
 * are committed together, so one of them decides whether the file's offsets were committed.
 * Temporary files are `.<name>.tmp`: hidden and not matched by `*.parquet` / `*.csv` globs
 * (DuckDB's glob does match dot files that end in .parquet).
 */

const unsafe = /[^A-Za-z0-9._]/g;

/** Escapes everything but [A-Za-z0-9._] as %XX, so names split unambiguously on '-'. */
export function escapeNamePart(s: string): string {
  return s.replace(unsafe, (c) => {
    const bytes = Buffer.from(c, 'utf8');
    let out = '';
    for (const b of bytes) out += `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
    return out;
  });
}

export function firstRange(ranges: readonly OffsetRange[]): OffsetRange | undefined {
  let best: OffsetRange | undefined;
  for (const r of ranges) {
    if (!best || r.topic < best.topic || (r.topic === best.topic && r.partition < best.partition)) best = r;
  }
  return best;
}

/** The name stem shared by all files of one commit (before `-<seq>.<ext>`). */
export function commitStem(taskId: string, ranges: readonly OffsetRange[], nowMs: number): string {
  const r = firstRange(ranges);
  const task = escapeNamePart(taskId);
  if (!r) return `part-${task}-t${nowMs}`;
  return `part-${task}-${escapeNamePart(r.topic)}-${r.partition}-${r.from}-${r.to}`;
}

export function fileName(stem: string, seq: number, ext: string): string {
  return `${stem}-${seq}.${ext}`;
}

export function tempName(name: string): string {
  return `.${name}.tmp`;
}

export type ParsedName =
  | { kind: 'range'; temp: boolean; topic: string; partition: number; from: bigint; to: bigint; seq: number }
  | { kind: 'time'; temp: boolean; at: number; seq: number };

/** Parses a file name if it belongs to `taskId` (published or temporary), else undefined. */
export function parseTaskFile(name: string, taskId: string, ext: string): ParsedName | undefined {
  let base = name;
  const temp = base.startsWith('.') && base.endsWith('.tmp');
  if (temp) base = base.slice(1, -4);
  const prefix = `part-${escapeNamePart(taskId)}-`;
  const suffix = `.${ext}`;
  if (!base.startsWith(prefix) || !base.endsWith(suffix)) return undefined;
  const rest = base.slice(prefix.length, base.length - suffix.length);
  const timed = /^t(\d+)-(\d+)$/.exec(rest);
  if (timed) return { kind: 'time', temp, at: Number(timed[1]), seq: Number(timed[2]) };
  // The escaped topic has no '-', so exactly five fields remain.
  const m = /^([A-Za-z0-9._%]+)-(\d+)-(\d+)-(\d+)-(\d+)$/.exec(rest);
  if (!m) return undefined;
  let topic: string;
  try {
    topic = decodeURIComponent(m[1]!);
  } catch {
    return undefined;
  }
  return {
    kind: 'range',
    temp,
    topic,
    partition: Number(m[2]),
    from: BigInt(m[3]!),
    to: BigInt(m[4]!),
    seq: Number(m[5]),
  };
}
