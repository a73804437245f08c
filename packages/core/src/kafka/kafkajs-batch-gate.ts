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
interface PartitionGate {
  /** The pending seek, if any. */
  seekTarget: SeekTarget | undefined;
  /** The offset after the last record delivered, once one was. */
  next: bigint | undefined;
}

export class BatchGate {
  /** Per topic, per partition: nested maps, so a batch looks its partition up without a key string. */
  private readonly partitions = new Map<string, Map<number, PartitionGate>>();

  /** A new generation: every partition starts again from its committed offset. */
  reset(): void {
    this.partitions.clear();
  }

  seek(topic: string, partition: number, offset: bigint): void {
    const p = this.gate(topic, partition);
    p.seekTarget = { offset, rereadUpTo: (p.next ?? offset) - 1n };
  }

  /** A seek is pending: batches now say nothing about the position. */
  seeking(topic: string, partition: number): boolean {
    return this.partitions.get(topic)?.get(partition)?.seekTarget !== undefined;
  }

  admit(batch: GatedBatch): GateDecision {
    if (batch.firstOffset === undefined || batch.lastOffset === undefined) return { kind: 'deliver' };
    const first = BigInt(batch.firstOffset);
    const last = BigInt(batch.lastOffset);
    const p = this.gate(batch.topic, batch.partition);
    const target = p.seekTarget;
    if (target !== undefined) {
      if (target.rereadUpTo >= target.offset && first > target.rereadUpTo)
        return { kind: 'drop', reason: 'before-seek' };
      p.seekTarget = undefined;
      p.next = target.offset;
    }
    const expected = p.next;
    if (expected !== undefined && last < expected) return { kind: 'drop', reason: 'delivered' };
    p.next = last + 1n;
    if (expected !== undefined && first < expected) return { kind: 'trim', from: expected };
    return { kind: 'deliver' };
  }

  private gate(topic: string, partition: number): PartitionGate {
    let byPartition = this.partitions.get(topic);
    if (!byPartition) {
      byPartition = new Map();
      this.partitions.set(topic, byPartition);
    }
    let p = byPartition.get(partition);
    if (!p) {
      p = { seekTarget: undefined, next: undefined };
      byPartition.set(partition, p);
    }
    return p;
  }
}

/**
 * The messages of a batch at or after offset `from` (a trim decision): kafkajs hands them over in
 * offset order, so the first one kept starts a slice, without a BigInt per message after it.
 */
export function trimBatch<M extends { readonly offset: string }>(messages: readonly M[], from: bigint): M[] {
  const start = messages.findIndex((m) => BigInt(m.offset) >= from);
  return start < 0 ? [] : messages.slice(start);
}
