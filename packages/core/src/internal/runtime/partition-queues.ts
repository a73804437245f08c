import type { RawRecord, TopicPartitionOffset } from '../../kafka/ports.js';
import { offsetKey } from '../../sink/sink.js';
import type { ActiveTask } from './active-task.js';

/** Where the instance stands in one input partition. Only PartitionQueues writes it. */
interface Position {
  readonly topic: string;
  readonly partition: number;
  /** The next offset to process (after the last processed record or transaction marker). */
  next: bigint;
  /** The partition's end offset as of the last fetch. */
  end: bigint;
  /** The next offset to buffer: records below it were buffered (or processed) already. */
  enqueued: bigint;
}

/** Lag of one input partition: records from the processed position to the end seen at the last fetch. */
export interface PartitionLag {
  readonly topic: string;
  readonly partition: number;
  readonly taskId: string;
  readonly lag: number;
}

interface PartitionQueue {
  readonly task: ActiveTask;
  records: RawRecord[];
  /** Per record, its share of the memory it keeps alive (see `bufferedBytes`). */
  weights: number[];
  head: number;
  /** When this queue last ran; breaks timestamp ties so equal heads take turns. */
  lastRun: number;
}

/** A run: consecutive records of one partition to process in one call. */
export interface Run {
  readonly task: ActiveTask;
  readonly records: RawRecord[];
}

/** Each run has at least this many records, so partitions with equal timestamps alternate in short runs. */
const MIN_RUN = 50;
/** Processed records at the head of a queue are dropped once there are this many (and at least half). */
const COMPACT_AFTER = 2048;

/**
 * The buffered input of the instance's tasks, one queue per input partition, and the position in each
 * partition. Picks the next run in timestamp order across partitions, as Kafka Streams does, so a
 * repartition topic receives records from several upstream tasks interleaved by time.
 */
export class PartitionQueues {
  private readonly queues = new Map<string, PartitionQueue>();
  private readonly positions = new Map<string, Position>();
  private readonly owners = new Map<string, ActiveTask>();
  private runCounter = 0;
  private bufferedCount = 0;
  private bufferedByteCount = 0;

  /** `maxRun`: the most records of one run (`buffering.maxRunRecords`). */
  constructor(private readonly maxRun: number) {}

  /** Records buffered and not processed yet. */
  get buffered(): number {
    return this.bufferedCount;
  }

  /**
   * The memory the buffered records keep alive. A record's key and value are views into the buffer
   * its fetch response was read into, so a few buffered records can hold whole responses: each
   * record counts its share of that buffer (the buffer's size over the records of the batch that
   * share it). Measured before this bound: 1,400 records per partition held back 540 MB of responses
   * (bench/src/hostile-memory.ts, docs/security.md).
   */
  get bufferedBytes(): number {
    return this.bufferedByteCount;
  }

  /**
   * Starts tracking an input partition of a task at its committed offset. Until the first fetch says
   * otherwise, the partition counts as behind if `end` is past that offset.
   */
  track(task: ActiveTask, topic: string, committed: bigint, end: bigint): void {
    const key = offsetKey(topic, task.partition);
    this.positions.set(key, { topic, partition: task.partition, next: committed, end, enqueued: committed });
    this.owners.set(key, task);
  }

  /** Stops tracking a task's partitions and drops what it had buffered (the next owner re-reads it). */
  drop(task: ActiveTask): void {
    for (const [key, owner] of this.owners) {
      if (owner !== task) continue;
      this.owners.delete(key);
      this.positions.delete(key);
      const q = this.queues.get(key);
      if (q) {
        this.bufferedCount -= q.records.length - q.head;
        for (let i = q.head; i < q.weights.length; i++) this.bufferedByteCount -= q.weights[i] as number;
      }
      this.queues.delete(key);
    }
  }

  /**
   * Buffers one partition's fetched batch; returns how many records were added. Records of a partition
   * no task here owns are ignored (its new owner reads them from the committed offset), and so are
   * records below the buffered position: after a rebalance kafkajs fetches a kept partition again from
   * its committed offset, and those records must not be processed twice (under exactly-once they would
   * land in the open transaction a second time).
   */
  enqueue(records: readonly RawRecord[], highWatermark: bigint | undefined): number {
    const first = records[0];
    if (!first) return 0;
    const key = offsetKey(first.topic, first.partition);
    const task = this.owners.get(key);
    const pos = this.positions.get(key);
    if (!task || !pos) return 0;
    let q = this.queues.get(key);
    if (!q) {
      q = { task, records: [], weights: [], head: 0, lastRun: 0 };
      this.queues.set(key, q);
    }
    const from = q.records.length;
    for (const r of records) if (r.offset >= pos.enqueued) q.records.push(r);
    const added = q.records.length - from;
    this.bufferedByteCount += weighRecords(q.records, from, q.weights);
    const last = records[records.length - 1] as RawRecord;
    if (last.offset + 1n > pos.enqueued) pos.enqueued = last.offset + 1n;
    if (highWatermark !== undefined && highWatermark > pos.end) pos.end = highWatermark;
    this.bufferedCount += added;
    return added;
  }

  /**
   * Takes the next run: from the partition with the smallest head timestamp (equal heads: the least
   * recently run), continuing while it stays before the next partition's head.
   */
  nextRun(): Run | undefined {
    let best: PartitionQueue | undefined;
    let nextHead = Number.POSITIVE_INFINITY;
    for (const q of this.queues.values()) {
      const head = q.records[q.head];
      if (!head) continue;
      const bestHead = best?.records[best.head];
      if (
        !bestHead ||
        head.timestamp < bestHead.timestamp ||
        (head.timestamp === bestHead.timestamp && q.lastRun < (best as PartitionQueue).lastRun)
      ) {
        if (bestHead) nextHead = Math.min(nextHead, bestHead.timestamp);
        best = q;
      } else nextHead = Math.min(nextHead, head.timestamp);
    }
    if (!best) return undefined;
    let end = best.head;
    while (
      end < best.records.length &&
      end - best.head < this.maxRun &&
      (end - best.head < MIN_RUN || (best.records[end] as RawRecord).timestamp < nextHead)
    ) {
      end++;
    }
    best.lastRun = ++this.runCounter;
    const records = best.records.slice(best.head, end);
    for (let i = best.head; i < end; i++) this.bufferedByteCount -= best.weights[i] as number;
    best.head = end;
    if (best.head === best.records.length) {
      best.records = [];
      best.weights = [];
      best.head = 0;
    } else if (best.head >= COMPACT_AFTER && best.head * 2 >= best.records.length) {
      // A queue that keeps getting batches never runs empty; without this its processed records
      // stayed referenced (seen: 350k records, ~250 MB, held by a 1M-record drain).
      best.records = best.records.slice(best.head);
      best.weights = best.weights.slice(best.head);
      best.head = 0;
    }
    this.bufferedCount -= records.length;
    return { task: best.task, records };
  }

  /** A run was processed: its partition's position moves past its last record. */
  processed(run: Run): void {
    const last = run.records[run.records.length - 1];
    if (!last) return;
    const pos = this.positions.get(offsetKey(last.topic, last.partition));
    if (pos && last.offset + 1n > pos.next) pos.next = last.offset + 1n;
  }

  /** The consumer moved past `next` (data or transaction markers that never reach a batch). */
  advance(topic: string, partition: number, next: bigint, highWatermark: bigint): void {
    const pos = this.positions.get(offsetKey(topic, partition));
    if (!pos) return;
    if (next > pos.next) pos.next = next;
    // The fetch position: data batches were enqueued already; marker-only batches hold nothing.
    if (next > pos.enqueued) pos.enqueued = next;
    if (highWatermark > pos.end) pos.end = highWatermark;
  }

  /** Nothing buffered and every partition processed to the end seen at the last fetch. */
  allCaughtUp(): boolean {
    if (this.bufferedCount > 0) return false;
    for (const pos of this.positions.values()) if (pos.next < pos.end) return false;
    return true;
  }

  /** One partition: nothing buffered and processed to the end seen at the last fetch. */
  partitionCaughtUp(topic: string, partition: number): boolean {
    const key = offsetKey(topic, partition);
    const pos = this.positions.get(key);
    if (!pos || pos.next < pos.end) return false;
    const q = this.queues.get(key);
    return !q || q.head >= q.records.length;
  }

  /**
   * A partition with unread records in Kafka but nothing buffered may hold older records than every
   * queue here: the caller waits for its fetch rather than run ahead.
   */
  someBehindPartitionIsEmpty(): boolean {
    for (const [key, pos] of this.positions) {
      if (pos.enqueued >= pos.end) continue;
      const q = this.queues.get(key);
      if (!q || q.head >= q.records.length) return true;
    }
    return false;
  }

  lags(): PartitionLag[] {
    const out: PartitionLag[] = [];
    for (const [key, pos] of this.positions) {
      const lag = pos.end > pos.next ? Number(pos.end - pos.next) : 0;
      out.push({ topic: pos.topic, partition: pos.partition, taskId: this.owners.get(key)?.id ?? '', lag });
    }
    return out;
  }

  /** The next offset to process in each of a task's partitions: where a rebuilt task starts. */
  nextOffsets(task: ActiveTask): TopicPartitionOffset[] {
    const out: TopicPartitionOffset[] = [];
    for (const [key, owner] of this.owners) {
      const pos = this.positions.get(key);
      if (owner === task && pos) out.push({ topic: pos.topic, partition: pos.partition, offset: pos.next });
    }
    return out;
  }
}

/**
 * Appends to `weights` the share of memory each of `records[from..]` keeps alive, and returns their
 * sum: records that are views into one buffer share its size; a record without one counts its bytes.
 */
function weighRecords(records: readonly RawRecord[], from: number, weights: number[]): number {
  let total = 0;
  let i = from;
  while (i < records.length) {
    const backing = backingOf(records[i] as RawRecord);
    let j = i + 1;
    while (j < records.length && backingOf(records[j] as RawRecord) === backing) j++;
    for (let k = i; k < j; k++) {
      const r = records[k] as RawRecord;
      const own = (r.key?.length ?? 0) + (r.value?.length ?? 0);
      const w = backing ? Math.max(own, backing.byteLength / (j - i)) : own;
      weights.push(w);
      total += w;
    }
    i = j;
  }
  return total;
}

const backingOf = (r: RawRecord): ArrayBufferLike | undefined => r.value?.buffer ?? r.key?.buffer;
