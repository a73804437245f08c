import type { RawRecord, TopicPartitionOffset } from '../../kafka/ports.js';
import type { OffsetRange } from '../../sink/sink.js';

/** The first and last offset a task processed in one input partition since its last commit. */
export interface UncommittedRange {
  readonly topic: string;
  readonly partition: number;
  readonly first: bigint;
  last: bigint;
}

/** A task's one book of processed-but-uncommitted offsets, per `topic:partition`. */
export class UncommittedOffsets {
  private readonly ranges = new Map<string, UncommittedRange>();

  /** Records `raw` as processed; returns its range, which the caller may extend until its next await. */
  track(raw: RawRecord): UncommittedRange {
    const k = `${raw.topic}:${raw.partition}`;
    let range = this.ranges.get(k);
    if (range) range.last = raw.offset;
    else {
      range = { topic: raw.topic, partition: raw.partition, first: raw.offset, last: raw.offset };
      this.ranges.set(k, range);
    }
    return range;
  }

  get isEmpty(): boolean {
    return this.ranges.size === 0;
  }

  /** The next offset to read per partition processed: what a commit makes durable. */
  committable(): TopicPartitionOffset[] {
    return [...this.ranges.values()].map((u) => ({
      topic: u.topic,
      partition: u.partition,
      offset: u.last + 1n,
    }));
  }

  offsetRanges(): OffsetRange[] {
    return [...this.ranges.values()].map((u) => ({
      topic: u.topic,
      partition: u.partition,
      from: u.first,
      to: u.last,
    }));
  }

  clear(): void {
    this.ranges.clear();
  }
}
