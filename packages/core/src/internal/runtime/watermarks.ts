import type { OutgoingRecord, RawRecord } from '../../kafka/ports.js';
import type { RecordCollector } from './record-collector.js';

/**
 * The header of a watermark record (no key, no value) on a repartition topic: it never reaches a
 * processor. Watermark records reach every partition, also those no data went to.
 */
export const WATERMARK_HEADER = 'tributary-watermark';
/**
 * Every data record on a repartition topic carries its upstream task's watermark when it was sent
 * (`RawRecord.watermark`, header `WATERMARK_STAMP_HEADER` on the wire), so the downstream clock is
 * never behind the data it receives.
 */
export { WATERMARK_STAMP_HEADER } from '../../kafka/ports.js';

/** Header value layout: version, idle flag, task (u16), task count (u16), watermark (float64), big-endian. */
const VERSION = 1;
const SIZE = 14;

/** What an upstream task tells each partition of a repartition topic it writes. */
export interface WatermarkReport {
  /** The upstream task's partition (its index among the upstream sub-topology's tasks). */
  readonly task: number;
  /** How many tasks the upstream sub-topology has: a downstream input waits for all of them. */
  readonly of: number;
  readonly watermark: number;
  /** Every input of the upstream task is idle: leave it out of the minimum. */
  readonly idle: boolean;
}

/** Binary, so that stamping every repartitioned record costs a 14-byte buffer, not a string to parse. */
export function encodeWatermark(r: WatermarkReport): Buffer {
  const b = Buffer.allocUnsafe(SIZE);
  b[0] = VERSION;
  b[1] = r.idle ? 1 : 0;
  b.writeUInt16BE(r.task, 2);
  b.writeUInt16BE(r.of, 4);
  b.writeDoubleBE(r.watermark, 6);
  return b;
}

function isReport(h: Buffer | string): h is Buffer {
  return Buffer.isBuffer(h) && h.length === SIZE && h[0] === VERSION;
}

export function decodeWatermark(h: Buffer | string): WatermarkReport | undefined {
  if (!isReport(h)) return undefined;
  return { task: h.readUInt16BE(2), of: h.readUInt16BE(4), watermark: h.readDoubleBE(6), idle: h[1] === 1 };
}

/**
 * Reads the watermarks arriving on a task's repartition inputs: watermark records (returns 'record':
 * nothing else to do with it) and stamps on data records (removed from the record's headers, which
 * belong to this runtime: the record came from the consumer). A stamp equal to the previous one on
 * the same topic is not parsed again.
 */
export class WatermarkReader {
  constructor(private readonly watermark: TaskWatermark | undefined) {}

  read(raw: RawRecord): 'record' | 'data' {
    const headers = raw.headers;
    const report = headers[WATERMARK_HEADER];
    if (report !== undefined) {
      this.apply(raw.topic, report);
      return 'record';
    }
    if (raw.watermark) this.apply(raw.topic, raw.watermark);
    return 'data';
  }

  /** Read in place: this runs for every repartitioned record. */
  private apply(topic: string, h: Buffer | string): void {
    if (this.watermark && isReport(h))
      this.watermark.update(topic, h.readUInt16BE(2), h.readUInt16BE(4), h.readDoubleBE(6), h[1] === 1);
  }
}

interface SourceInput {
  readonly kind: 'source';
  maxSeen: number;
  lastRecordAt: number;
  idle: boolean;
}

interface RepartitionInput {
  readonly kind: 'repartition';
  /** Per upstream task: the largest watermark it reported (reports never move it back). */
  readonly upstream: Map<number, { watermark: number; idle: boolean }>;
  expected: number;
}

type Input = SourceInput | RepartitionInput;

/** One upstream task's report as a downstream input last knew it (see `TaskWatermark.reports`). */
export interface KnownReport {
  readonly topic: string;
  readonly task: number;
  readonly of: number;
  readonly watermark: number;
  readonly idle: boolean;
}

export interface WatermarkOptions {
  /** The task's input topics (resolved names) and whether each is a repartition topic. */
  readonly inputs: readonly { readonly topic: string; readonly repartition: boolean }[];
  /** A source partition caught up and without a record for this long stops holding the watermark. */
  readonly partitionIdleMs: number;
  /** Whether the task's partition of `topic` is read to its end (nothing buffered, no lag). */
  readonly caughtUp: (topic: string) => boolean;
  readonly now: number;
}

/**
 * One task's watermark: the minimum over its inputs that are not idle, never moving back. Inputs
 * are few (one per source topic), so the minimum is recomputed on every change.
 */
export class TaskWatermark {
  private readonly inputs = new Map<string, Input>();
  private current = Number.NEGATIVE_INFINITY;
  private allIdle = false;

  constructor(private readonly opts: WatermarkOptions) {
    for (const i of opts.inputs) {
      this.inputs.set(
        i.topic,
        i.repartition
          ? { kind: 'repartition', upstream: new Map(), expected: Number.POSITIVE_INFINITY }
          : { kind: 'source', maxSeen: Number.NEGATIVE_INFINITY, lastRecordAt: opts.now, idle: false },
      );
    }
  }

  get watermark(): number {
    return this.current;
  }

  get idle(): boolean {
    return this.allIdle;
  }

  /** A data record with event time `ts` came from `topic`. Returns whether the watermark moved. */
  observe(topic: string, ts: number, now: number): boolean {
    const input = this.inputs.get(topic);
    if (input?.kind !== 'source') return false;
    input.lastRecordAt = now;
    const wasIdle = input.idle;
    input.idle = false;
    if (ts <= input.maxSeen && !wasIdle) return false;
    if (ts > input.maxSeen) input.maxSeen = ts;
    return this.recompute();
  }

  /**
   * What the upstream tasks of the repartition inputs reported. A task created again on this
   * instance (rebuilt after a failed transaction, or assigned back) starts from these: upstream
   * tasks resend only when their watermark moves or after a rebalance, so once the input has ended
   * a new task would otherwise wait for them forever. Reports are facts about upstream progress and
   * never move back, so they stay true whatever offset the new task starts from.
   */
  reports(): KnownReport[] {
    const out: KnownReport[] = [];
    for (const [topic, input] of this.inputs) {
      if (input.kind !== 'repartition') continue;
      for (const [task, u] of input.upstream)
        out.push({ topic, task, of: input.expected, watermark: u.watermark, idle: u.idle });
    }
    return out;
  }

  /** An upstream task's report arrived on `topic`. Returns whether the watermark moved. */
  report(topic: string, r: WatermarkReport): boolean {
    return this.update(topic, r.task, r.of, r.watermark, r.idle);
  }

  /** `report` without the object: the stamp on every repartitioned record comes through here. */
  update(topic: string, task: number, of: number, watermark: number, idle: boolean): boolean {
    const input = this.inputs.get(topic);
    if (input?.kind !== 'repartition' || !(of > 0)) return false;
    input.expected = of;
    const prev = input.upstream.get(task);
    if (!prev) input.upstream.set(task, { watermark, idle });
    else if (watermark > prev.watermark || idle !== prev.idle) {
      if (watermark > prev.watermark) prev.watermark = watermark;
      prev.idle = idle;
    } else return false; // nothing new from this upstream task
    return this.recompute();
  }

  /** Re-evaluates which source partitions are idle (wall-clock). Returns whether the watermark moved. */
  refresh(now: number): boolean {
    let changed = false;
    for (const [topic, input] of this.inputs) {
      if (input.kind !== 'source' || input.idle) continue;
      if (now - input.lastRecordAt >= this.opts.partitionIdleMs && this.opts.caughtUp(topic)) {
        input.idle = true;
        changed = true;
      }
    }
    return changed ? this.recompute() : false;
  }

  private recompute(): boolean {
    let min = Number.POSITIVE_INFINITY;
    let active = 0;
    for (const input of this.inputs.values()) {
      const v = contribution(input);
      if (v === undefined) continue;
      active += 1;
      if (v < min) min = v;
    }
    this.allIdle = active === 0 && this.inputs.size > 0;
    // All idle: the watermark stays where it was (nothing says time has moved on).
    if (active === 0 || min <= this.current) return false;
    this.current = min;
    return true;
  }
}

/** An input's contribution to the minimum; undefined when it is idle. */
function contribution(input: Input): number | undefined {
  if (input.kind === 'source') return input.idle ? undefined : input.maxSeen;
  if (input.upstream.size < input.expected) return Number.NEGATIVE_INFINITY;
  let min = Number.POSITIVE_INFINITY;
  for (const u of input.upstream.values()) if (!u.idle && u.watermark < min) min = u.watermark;
  return min === Number.POSITIVE_INFINITY ? undefined : min;
}

export interface BroadcastTarget {
  readonly topic: string;
  readonly partitions: number;
}

/** Sends a task's watermark to every partition of the repartition topics it writes. */
export class WatermarkBroadcaster {
  private lastSentAt = Number.NEGATIVE_INFINITY;
  private lastWatermark: number | undefined;
  private lastIdle = false;
  /** Watermark records sent (metrics). */
  sent = 0;

  constructor(
    private readonly targets: readonly BroadcastTarget[],
    private readonly self: { readonly task: number; readonly of: number },
    private readonly collector: RecordCollector,
    /** Changes are sent at most this often; 0 sends every change at once (the test driver). */
    private readonly intervalMs: number,
    /** Unchanged watermarks are sent again this often (Infinity: only after `resend()`). */
    private readonly heartbeatMs: number,
    /** Data records are stamped when the watermark moved at least this far (0: every record). */
    private readonly stampStepMs = 0,
  ) {}

  /**
   * The next call sends whatever the watermark is: after a rebalance, a downstream task that moved
   * starts without its upstream tasks' watermarks and would otherwise wait for their next change.
   */
  resend(): void {
    this.lastSentAt = Number.NEGATIVE_INFINITY;
    this.lastWatermark = undefined;
  }

  private lastStamp: { watermark: number; idle: boolean } | undefined;

  /**
   * The stamp for a data record sent now, or undefined when the watermark moved less than
   * `stampStepMs` since the last stamp. A header on every record cost about 3.5 CPU-s per million
   * repartitioned records in kafkajs' encoding and decoding (measured); with a step, a downstream
   * task's view of this task lags by about the step times the number of partitions at most (and
   * by the watermark-record interval in wall time), which only ever makes it more lenient.
   */
  stamp(watermark: number, idle: boolean): Buffer | undefined {
    const last = this.lastStamp;
    if (last && last.idle === idle && !(watermark - last.watermark >= this.stampStepMs)) return undefined;
    this.lastStamp = { watermark, idle };
    return encodeWatermark({ ...this.self, watermark, idle });
  }

  /** Sends when the watermark or idleness changed (rate-limited) or the heartbeat is due. */
  maybeSend(watermark: number, idle: boolean, now: number): void {
    if (this.targets.length === 0) return;
    const changed = watermark !== this.lastWatermark || idle !== this.lastIdle;
    const since = now - this.lastSentAt;
    if (!(changed && since >= this.intervalMs) && since < this.heartbeatMs) return;
    this.lastSentAt = now;
    this.lastWatermark = watermark;
    this.lastIdle = idle;
    const header = encodeWatermark({ ...this.self, watermark, idle });
    const timestamp = Number.isFinite(watermark) && watermark >= 0 ? watermark : now;
    for (const t of this.targets) {
      for (let p = 0; p < t.partitions; p++) {
        const record: OutgoingRecord = {
          topic: t.topic,
          partition: p,
          key: null,
          value: null,
          timestamp,
          headers: { [WATERMARK_HEADER]: header },
        };
        this.collector.send(record);
        this.sent += 1;
      }
    }
  }
}
