// Shared by the crash tests and the child process they kill: one sink definition and its input.
import { parquetSink } from '../parquet-sink.js';

export interface Ev {
  readonly id: bigint;
  readonly p: string;
  readonly text: string;
}

export function crashSink(root: string) {
  return parquetSink<string, Ev>({
    name: 'crash',
    path: root,
    schema: [
      { name: 'id', type: 'int64' },
      { name: 'p', type: 'string' },
      { name: 'text', type: 'string' },
    ],
    partitionBy: ['p'],
    rolling: { maxRecords: 7 },
  });
}

/** The record at input offset `offset` (deterministic, so a replay writes the same rows). */
export function eventAt(offset: number): Ev {
  return { id: BigInt(offset), p: `p${offset % 3}`, text: `row ${offset}, "quoted"` };
}

export function eventsBetween(from: number, to: number): Ev[] {
  return Array.from({ length: to - from + 1 }, (_, i) => eventAt(from + i));
}
