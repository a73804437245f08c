import type {
  KeyValueStore,
  SessionStore,
  StateStore,
  StoreDefinition,
  TimestampedWindowStore,
  WindowStore,
} from '../../state/store.js';
import { Meter } from '../runtime/runtime-stats.js';

/** The store operations timed, by Kafka Streams' state-store metric name. */
export type StoreOp = 'put' | 'put-all' | 'get' | 'delete' | 'fetch' | 'remove';

/** Every this many calls of an operation, one is timed (the first call always is); all are counted. */
export const TIMED_EVERY = 16;

/**
 * One operation of one store: every call counted, one in TIMED_EVERY timed (two clock readings cost
 * more than the counting: measured in bench/src/store-metrics-bench.ts). Latencies in ns.
 */
export class OpMeter {
  readonly meter: Meter;
  /** Calls until the next timed one. */
  skip = 1;
  /** Calls since the last timed one: counted with the next. */
  pending = 0;

  constructor(now: () => number) {
    this.meter = new Meter(now);
  }

  get count(): number {
    return this.meter.count + this.pending;
  }

  /** A timed call ran from `started` to `ended` (performance.now() readings, ms). */
  timed(started: number, ended: number): void {
    this.meter.recordAt(ended, this.pending + 1, (ended - started) * 1e6, 1);
    this.pending = 0;
    this.skip = TIMED_EVERY;
  }

  rate(): number {
    return this.meter.rate();
  }

  /** Average over the timed calls of the window, ns. */
  avg(): number {
    return this.meter.avg();
  }

  /** Largest timed call of the window, ns. */
  max(): number {
    return this.meter.max();
  }
}

/** One store of one task: a meter per operation, latencies in ns (as Kafka Streams' store metrics). */
export interface StoreMeters {
  readonly taskId: string;
  readonly store: string;
  /** Kafka Streams' store-type tag: `<backend>-state`, `<backend>-window-state`, `<backend>-session-state`. */
  readonly storeType: string;
  readonly ops: ReadonlyMap<StoreOp, OpMeter>;
}

const OPS_BY_KIND: Record<StoreDefinition['kind'], readonly StoreOp[]> = {
  'key-value': ['put', 'put-all', 'get', 'delete'],
  window: ['put', 'fetch'],
  session: ['put', 'remove', 'fetch'],
};

/**
 * The stores' meters of every running task. Timing uses the monotonic clock (performance.now): a
 * timed call reads it anyway, and the windows need no wall clock.
 */
export class StoreStats {
  private readonly byTask = new Map<string, StoreMeters[]>();

  constructor(private readonly now: () => number = () => performance.now()) {}

  /** Meters for a store of a task that is being created (replacing any of an earlier incarnation). */
  open(taskId: string, definition: StoreDefinition, backend: string): StoreMeters {
    const kind = definition.kind === 'key-value' ? '' : `${definition.kind}-`;
    const ops = new Map(OPS_BY_KIND[definition.kind].map((op) => [op, new OpMeter(this.now)] as const));
    const meters: StoreMeters = { taskId, store: definition.name, storeType: `${backend}-${kind}state`, ops };
    const list = (this.byTask.get(taskId) ?? []).filter((m) => m.store !== definition.name);
    list.push(meters);
    this.byTask.set(taskId, list);
    return meters;
  }

  /** The task closed (it moved away or the app stops): its series go, as Kafka Streams drops task metrics. */
  dropTask(taskId: string): void {
    this.byTask.delete(taskId);
  }

  all(): StoreMeters[] {
    return [...this.byTask.values()].flat();
  }

  /** Wraps a task store so its point operations are counted and (sampled) timed; scans pass through. */
  wrap<S extends StateStore>(inner: S, definition: StoreDefinition, meters: StoreMeters): S {
    const now = this.now;
    const op = (name: StoreOp) => meters.ops.get(name) as OpMeter;
    if (definition.kind === 'key-value')
      return meteredKeyValue(inner as unknown as KeyValueStore<unknown, unknown>, op, now) as unknown as S;
    if (definition.kind === 'window')
      return meteredWindow(
        inner as unknown as TimestampedWindowStore<unknown, unknown>,
        op,
        now,
      ) as unknown as S;
    return meteredSession(inner as unknown as SessionStore<unknown, unknown>, op, now) as unknown as S;
  }
}

type OpOf = (name: StoreOp) => OpMeter;

function meteredKeyValue<K, V>(inner: KeyValueStore<K, V>, op: OpOf, now: () => number): KeyValueStore<K, V> {
  const [put, putAll, get, del] = [op('put'), op('put-all'), op('get'), op('delete')];
  return {
    name: inner.name,
    get(key) {
      if (--get.skip > 0) {
        get.pending++;
        return inner.get(key);
      }
      const t = now();
      const v = inner.get(key);
      get.timed(t, now());
      return v;
    },
    put(key, value) {
      if (--put.skip > 0) {
        put.pending++;
        inner.put(key, value);
        return;
      }
      const t = now();
      inner.put(key, value);
      put.timed(t, now());
    },
    putAll(entries) {
      if (--putAll.skip > 0) {
        putAll.pending++;
        inner.putAll(entries);
        return;
      }
      const t = now();
      inner.putAll(entries);
      putAll.timed(t, now());
    },
    delete(key) {
      if (--del.skip > 0) {
        del.pending++;
        return inner.delete(key);
      }
      const t = now();
      const v = inner.delete(key);
      del.timed(t, now());
      return v;
    },
    range: (from, to) => inner.range(from, to),
    prefixScan: (prefix, serde) => inner.prefixScan(prefix, serde),
    all: () => inner.all(),
    approximateNumEntries: () => inner.approximateNumEntries(),
  };
}

function meteredWindow<K, V>(
  inner: TimestampedWindowStore<K, V>,
  op: OpOf,
  now: () => number,
): WindowStore<K, V> | TimestampedWindowStore<K, V> {
  const [put, fetch] = [op('put'), op('fetch')];
  const store: WindowStore<K, V> = {
    name: inner.name,
    put(key, value, windowStart) {
      if (--put.skip > 0) {
        put.pending++;
        inner.put(key, value, windowStart);
        return;
      }
      const t = now();
      inner.put(key, value, windowStart);
      put.timed(t, now());
    },
    fetch(key, windowStart) {
      if (--fetch.skip > 0) {
        fetch.pending++;
        return inner.fetch(key, windowStart);
      }
      const t = now();
      const v = inner.fetch(key, windowStart);
      fetch.timed(t, now());
      return v;
    },
    fetchRange: (key, from, to) => inner.fetchRange(key, from, to),
    fetchAll: (from, to) => inner.fetchAll(from, to),
    all: () => inner.all(),
  };
  if (typeof inner.putWithTimestamp !== 'function') return store;
  const timestamped: TimestampedWindowStore<K, V> = {
    ...store,
    putWithTimestamp(key, value, windowStart, timestamp) {
      if (--put.skip > 0) {
        put.pending++;
        inner.putWithTimestamp(key, value, windowStart, timestamp);
        return;
      }
      const t = now();
      inner.putWithTimestamp(key, value, windowStart, timestamp);
      put.timed(t, now());
    },
    fetchWithTimestamp(key, windowStart) {
      if (--fetch.skip > 0) {
        fetch.pending++;
        return inner.fetchWithTimestamp(key, windowStart);
      }
      const t = now();
      const v = inner.fetchWithTimestamp(key, windowStart);
      fetch.timed(t, now());
      return v;
    },
  };
  return timestamped;
}

function meteredSession<K, V>(inner: SessionStore<K, V>, op: OpOf, now: () => number): SessionStore<K, V> {
  const [put, remove, fetch] = [op('put'), op('remove'), op('fetch')];
  return {
    name: inner.name,
    put(key, start, end, value) {
      if (--put.skip > 0) {
        put.pending++;
        inner.put(key, start, end, value);
        return;
      }
      const t = now();
      inner.put(key, start, end, value);
      put.timed(t, now());
    },
    remove(key, start, end) {
      if (--remove.skip > 0) {
        remove.pending++;
        inner.remove(key, start, end);
        return;
      }
      const t = now();
      inner.remove(key, start, end);
      remove.timed(t, now());
    },
    fetchSession(key, start, end) {
      if (--fetch.skip > 0) {
        fetch.pending++;
        return inner.fetchSession(key, start, end);
      }
      const t = now();
      const v = inner.fetchSession(key, start, end);
      fetch.timed(t, now());
      return v;
    },
    findSessions: (key, earliestEnd, latestStart) => inner.findSessions(key, earliestEnd, latestStart),
    fetch: (key) => inner.fetch(key),
    all: () => inner.all(),
  };
}
