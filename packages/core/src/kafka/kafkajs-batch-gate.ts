/** A fetched batch as the gate sees it: the offsets of its first and last record. */
export interface GatedBatch {
  readonly topic: string;
  readonly partition: number;
  readonly firstOffset: string | undefined;
  readonly lastOffset: string | undefined;
}

export type GateDecision =
  /** Hand every record on. */
  | { readonly kind: 'deliver' }
  /** Hand on only the records at or after `from`: the ones before it were delivered already. */
  | { readonly kind: 'trim'; readonly from: bigint }
  /** Drop the whole batch: fetched before a seek, or delivered already. */
  | { readonly kind: 'drop'; readonly reason: 'before-seek' | 'delivered' };

interface SeekTarget {
  readonly offset: bigint;
  /** The last record delivered before the seek, at or after `offset`: a re-read must start with it. */
  readonly rereadUpTo: bigint;
}

/**
 * Decides, per partition, whether a batch kafkajs hands over may be processed, so that no record is
 * processed twice within a generation. kafkajs fetches from each partition leader in its own loop;
 * around a leader change (a broker failover) a batch can arrive that was fetched before a seek (its
 * `isStale()` only knows of seeks no fetch has applied yet), or one that overlaps a batch the other
 * node's fetch already delivered. Both are possible double counts under exactly-once.
 *
 * A seek here always moves back to the committed offset, over records delivered since. Those are
 * committed records, so a batch fetched from the seek offset starts with one of them; a batch that
 * starts after all of them was fetched from the old position, before the seek. After that, only
 * records past the last one delivered go on.
 */
export class BatchGate {
  private readonly seekTargets = new Map<string, SeekTarget>();
  /** Per partition: the offset after the last record delivered. */
  private readonly next = new Map<string, bigint>();

  /** A new generation: every partition starts again from its committed offset. */
  reset(): void {
    this.seekTargets.clear();
    this.next.clear();
  }

  seek(topic: string, partition: number, offset: bigint): void {
    const k = key(topic, partition);
    const delivered = (this.next.get(k) ?? offset) - 1n;
    this.seekTargets.set(k, { offset, rereadUpTo: delivered });
  }

  /** A seek is pending: batches now say nothing about the position. */
  seeking(topic: string, partition: number): boolean {
    return this.seekTargets.has(key(topic, partition));
  }

  admit(batch: GatedBatch): GateDecision {
    if (batch.firstOffset === undefined || batch.lastOffset === undefined) return { kind: 'deliver' };
    const first = BigInt(batch.firstOffset);
    const last = BigInt(batch.lastOffset);
    const k = key(batch.topic, batch.partition);
    const target = this.seekTargets.get(k);
    if (target !== undefined) {
      if (target.rereadUpTo >= target.offset && first > target.rereadUpTo)
        return { kind: 'drop', reason: 'before-seek' };
      this.seekTargets.delete(k);
      this.next.set(k, target.offset);
    }
    const expected = this.next.get(k);
    if (expected !== undefined && last < expected) return { kind: 'drop', reason: 'delivered' };
    this.next.set(k, last + 1n);
    if (expected !== undefined && first < expected) return { kind: 'trim', from: expected };
    return { kind: 'deliver' };
  }
}

function key(topic: string, partition: number): string {
  return `${topic}:${partition}`;
}
