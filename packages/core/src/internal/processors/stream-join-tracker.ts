import type { Serde } from '../../serde/serde.js';
import { Serdes } from '../../serde/serdes.js';
import { readOrderedInt64, writeOrderedInt64 } from '../state/key-codec.js';
import type { JoinBufferIndex } from './join-buffer-index.js';
import type { JoinWaitingIndex } from './join-waiting-index.js';

/** The window bounds the processor needs; the DSL's `JoinWindows` implements it. */
export interface StreamJoinWindowSpec {
  readonly beforeMs: number;
  readonly afterMs: number;
  readonly graceMs: number;
}

export type JoinSide = 'left' | 'right';

/**
 * Minimum wall-clock time between two passes over the outer store. Kafka Streams has this as an
 * internal config (`__emit.interval.ms.kstreams.outer.join.spurious.results.fix__`, 1000 ms in a
 * KafkaStreams instance) and its TopologyTestDriver sets it to 0; measured (fixture
 * ssjoin-left-emit-throttle), unmatched results there come out at the first in-order record after
 * their window closed. Tributary does the same everywhere: which results a join emits then does not
 * depend on wall-clock time.
 */
export const OUTER_JOIN_EMIT_INTERVAL_MS = 0;

const NO_TIMESTAMP = -1;

/**
 * State shared by the two sides of one join within one task, as Kafka Streams' TimeTracker: the
 * join's stream time (both inputs), the smallest timestamp that may wait in the outer store, when
 * the next emission pass may run (wall clock), and the newest timestamp put into each side's buffer
 * (a window store only returns records within its retention of that). Not persisted: Kafka Streams
 * starts a restarted task with a fresh tracker, and the buffers' newest timestamps are rebuilt from
 * the restored stores.
 */
export class JoinTimeTracker {
  streamTime = NO_TIMESTAMP;
  /** `undefined` is Kafka Streams' Long.MAX_VALUE ("nothing waits"). */
  minTime: number | undefined = undefined;
  nextTimeToEmit = 0;
  readonly observed: Record<JoinSide, number> = { left: NO_TIMESTAMP, right: NO_TIMESTAMP };
  /**
   * The two sides' records run one after the other, in the order they were handed over: a stream
   * joined with itself (or merged sources feeding both sides) hands each record to the left side and
   * then, before the left side's asynchronous lookups finish, to the right side. Kafka Streams runs
   * them in that order, synchronously.
   */
  queue: Promise<void> = Promise.resolve();
  /** Records (of either side) whose processing is still running asynchronously, queued on `queue`. */
  inFlight = 0;
  /** The in-memory copy of each side's buffer, built by that side's processor at init. */
  readonly index: Partial<Record<JoinSide, JoinBufferIndex>> = {};
  /**
   * The in-memory copy of the shared outer store (left/outer joins), while it is complete and fits
   * its budget; `undefined` once dropped, then the store is read instead.
   */
  waiting: JoinWaitingIndex | undefined;
  /** Whether `waiting` was built (by the first of the two processors to init). */
  waitingBuilt = false;
}

/**
 * One tracker per task, shared by the join's two processors (Kafka Streams' TimeTrackerSupplier).
 * Keyed by the task's instance of the left buffer, which both processors of a task see and no
 * other task does: a task that is closed and created again (a rebalance) gets a fresh tracker, as a
 * restarted Kafka Streams task does, and the old one goes with its store.
 */
export class JoinTimeTrackers {
  private readonly byTask = new WeakMap<object, JoinTimeTracker>();
  /** Records skipped for a null key or value (Kafka Streams' dropped-records sensor), over all tasks. */
  skipped = 0;

  get(taskStore: object): JoinTimeTracker {
    let t = this.byTask.get(taskStore);
    if (!t) {
      t = new JoinTimeTracker();
      this.byTask.set(taskStore, t);
    }
    return t;
  }
}

/**
 * A list of values as one store value: several records of a key may share a timestamp (Kafka
 * Streams' retainDuplicates window store keeps them under one key and a sequence number; here the
 * window entry (key, timestamp) holds all of them, in arrival order). Elements are encoded with the
 * side's value serde, the list itself as msgpack.
 */
export function listSerde<V>(inner: Serde<V>): Serde<V[]> {
  const outer = Serdes.msgpack<(Buffer | null)[]>();
  return {
    serialize: (list, topic) =>
      list === null || list === undefined
        ? null
        : outer.serialize(
            list.map((v) => inner.serialize(v, topic)),
            topic,
          ),
    deserialize: (b, topic) => {
      if (b === null) return null as unknown as V[];
      return outer
        .deserialize(b, topic)
        .map((e) => inner.deserialize(e === null ? null : Buffer.from(e), topic));
    },
  };
}

/**
 * Key of the shared outer store: int64 timestamp (order-preserving), a side byte (right 0, left 1)
 * and the record key's bytes, so a scan yields waiting records by timestamp, right before left, then
 * key, exactly as Kafka Streams' TimestampedKeyAndJoinSide serialization orders them.
 */
export const outerKeyCodec = {
  encode(timestamp: number, side: JoinSide, key: Buffer): Buffer {
    const out = Buffer.allocUnsafe(9 + key.length);
    writeOrderedInt64(out, 0, timestamp);
    out[8] = side === 'left' ? 1 : 0;
    key.copy(out, 9);
    return out;
  },
  decode(b: Buffer): { timestamp: number; side: JoinSide; key: Buffer } {
    return { timestamp: readOrderedInt64(b, 0), side: b[8] === 1 ? 'left' : 'right', key: b.subarray(9) };
  },
};
