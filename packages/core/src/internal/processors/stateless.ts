import type { Processor, ProcessorContext } from '../../processor/processor.js';
import type { StreamRecord } from '../../record.js';

type AnyRecord = StreamRecord<unknown, unknown>;

/**
 * One processor for every record-at-a-time operator (filter, map, flatMap, peek, ...): the operator is
 * a function from one record to zero, one or many records.
 */
export class TransformProcessor implements Processor<unknown, unknown> {
  private ctx!: ProcessorContext;

  constructor(private readonly fn: (record: AnyRecord) => AnyRecord | Iterable<AnyRecord> | undefined) {}

  init(ctx: ProcessorContext): void {
    this.ctx = ctx;
  }

  process(record: AnyRecord): void {
    const out = this.fn(record);
    if (out === undefined) return;
    if (isRecord(out)) {
      this.ctx.forward(out);
      return;
    }
    for (const r of out) this.ctx.forward(r);
  }
}

function isRecord(x: AnyRecord | Iterable<AnyRecord>): x is AnyRecord {
  return typeof (x as AnyRecord).timestamp === 'number' && 'headers' in x;
}

/** split(): forwards each record to the child of the first matching branch, or the default branch. */
export class BranchProcessor implements Processor<unknown, unknown> {
  private ctx!: ProcessorContext;

  constructor(
    private readonly branches: readonly {
      child: string;
      predicate: (key: unknown, value: unknown) => boolean;
    }[],
    private readonly defaultChild: string | undefined,
  ) {}

  init(ctx: ProcessorContext): void {
    this.ctx = ctx;
  }

  process(record: AnyRecord): void {
    for (const b of this.branches) {
      if (b.predicate(record.key, record.value)) {
        this.ctx.forward(record, b.child);
        return;
      }
    }
    if (this.defaultChild !== undefined) this.ctx.forward(record, this.defaultChild);
  }
}

/** A node that only passes records on (merge, repartition boundaries, named branch heads). */
export class PassThroughProcessor implements Processor<unknown, unknown> {
  private ctx!: ProcessorContext;
  init(ctx: ProcessorContext): void {
    this.ctx = ctx;
  }
  process(record: AnyRecord): void {
    this.ctx.forward(record);
  }
}
