import { Counter, Gauge, Registry } from 'prom-client';
import type { PartitionLag } from '../internal/runtime/partition-queues.js';
import type { Meter, RestoreState, RuntimeStats } from '../internal/runtime/runtime-stats.js';
import type { StreamsState } from '../internal/runtime/state-machine.js';
import type { OpMeter, StoreMeters, StoreOp, StoreStats } from '../internal/state/metered-stores.js';

/** What /metrics reads, at scrape time only: nothing here runs per record. */
export interface MetricsSource {
  readonly applicationId: string;
  /** `host:port`, or the client id when the instance has no server address. */
  readonly instance: string;
  state(): StreamsState;
  /** Tributary#metrics(): processed, error counters by stage, dead-lettered, skipped, late. */
  counters(): Record<string, number>;
  readonly stats: RuntimeStats;
  lags(): readonly PartitionLag[];
  /** TaskManager#restoringTaskIds. */
  restoringTaskIds(): readonly string[];
  /** The processors' store calls, when they are metered. */
  readonly storeStats?: StoreStats | undefined;
}

/** The registry and the way to read it: `scrape()` reads the app's counters and lags once per scrape. */
export interface MetricsEndpoint {
  readonly registry: Registry;
  scrape(): Promise<string>;
}

/** What one scrape reads from the app, once, however many metrics are built from it. */
interface Snapshot {
  readonly counters: Record<string, number>;
  readonly lags: readonly PartitionLag[];
  readonly restoring: readonly RestoreState[];
  readonly stores: readonly StoreMeters[];
}

const STORE_OPS: readonly StoreOp[] = ['put', 'put-all', 'get', 'delete', 'fetch', 'remove'];

const STATES: readonly StreamsState[] = [
  'created',
  'rebalancing',
  'running',
  'pending-shutdown',
  'not-running',
  'error',
];

type Sample = readonly [labels: Record<string, string>, value: number];

/**
 * Kafka Streams' metric names as the JMX exporter spells them (`kafka_streams_<group>_<name>`, dashes
 * to underscores), labelled by application and instance, and by task where the metric is per task.
 * Rates, averages and maxima are over a 30 s window, as Kafka Streams' sensors; latencies are in ms.
 */
export function createMetricsRegistry(src: MetricsSource): MetricsEndpoint {
  const registry = new Registry();
  let snapshot: Snapshot | undefined;
  const take = (): Snapshot => ({
    counters: src.counters(),
    lags: src.lags(),
    restoring: src.stats.restoring(src.restoringTaskIds()),
    stores: src.storeStats?.all() ?? [],
  });
  const view = (): Snapshot => snapshot ?? take();
  const scrape = async () => {
    const mine = take();
    snapshot = mine;
    try {
      return await registry.metrics();
    } finally {
      if (snapshot === mine) snapshot = undefined;
    }
  };
  registry.setDefaultLabels({ application: src.applicationId, instance: src.instance });
  /** A metric whose samples are read at scrape time: reset, then set (gauges) or added (counters). */
  const define =
    (kind: 'gauge' | 'counter') =>
    (name: string, help: string, labelNames: string[], read: () => readonly Sample[]) => {
      const config = { name, help, labelNames, registers: [registry] };
      const fill = (m: { reset(): void }, put: (labels: Record<string, string>, v: number) => void) => {
        m.reset();
        for (const [labels, value] of read()) put(labels, value);
      };
      return kind === 'gauge'
        ? new Gauge({
            ...config,
            collect() {
              fill(this, (l, v) => this.set(l, v));
            },
          })
        : new Counter({
            ...config,
            collect() {
              fill(this, (l, v) => this.inc(l, v));
            },
          });
    };
  const gauge = define('gauge');
  const counter = define('counter');
  const one = (v: () => number) => () => [[{}, v()] as Sample];
  const c = (key: string) => view().counters[key] ?? 0;
  const meter = (group: string, name: string, m: () => Meter, what: string) => {
    counter(
      `${group}_${name}_total`,
      `${what}: total`,
      [],
      one(() => m().count),
    );
    gauge(
      `${group}_${name}_rate`,
      `${what} per second (30 s window)`,
      [],
      one(() => m().rate()),
    );
  };
  const latency = (group: string, name: string, m: () => Meter, what: string) => {
    gauge(
      `${group}_${name}_latency_avg`,
      `${what}: average latency, ms (30 s window; NaN when there was none)`,
      [],
      one(() => m().avg()),
    );
    gauge(
      `${group}_${name}_latency_max`,
      `${what}: maximum latency, ms (30 s window; NaN when there was none)`,
      [],
      one(() => m().max()),
    );
  };

  const thread = 'kafka_streams_stream_thread_metrics';
  meter(thread, 'process', () => src.stats.process, 'records processed');
  latency(thread, 'process', () => src.stats.process, 'processing, per record (measured per run)');
  meter(thread, 'commit', () => src.stats.commit, 'commits');
  latency(thread, 'commit', () => src.stats.commit, 'commits');
  meter(thread, 'poll', () => src.stats.poll, 'fetched batches handed to the runtime');

  const fetch = 'kafka_consumer_consumer_fetch_manager_metrics';
  gauge(
    `${fetch}_records_lag`,
    'records behind the end of the partition',
    ['topic', 'partition', 'task'],
    () =>
      view().lags.map(
        (l) => [{ topic: l.topic, partition: String(l.partition), task: l.taskId }, l.lag] as Sample,
      ),
  );
  gauge(
    `${fetch}_records_lag_max`,
    'largest lag over the input partitions',
    [],
    one(() => view().lags.reduce((m, l) => Math.max(m, l.lag), 0)),
  );

  gauge(
    'kafka_streams_stream_state_updater_metrics_restore_rate',
    'changelog records restored per second',
    [],
    one(() => src.stats.restore.rate()),
  );
  counter(
    'kafka_streams_stream_state_updater_metrics_restore_total',
    'changelog records restored',
    [],
    one(() => src.stats.restore.count),
  );
  gauge(
    'kafka_streams_stream_task_metrics_restore_remaining_records_total',
    'changelog records still to restore',
    ['task', 'store'],
    () => view().restoring.map((r) => [{ task: r.taskId, store: r.store }, r.remaining] as Sample),
  );

  counter(
    'kafka_streams_stream_task_metrics_dropped_records_total',
    'records dropped (skipped, null keys or values, late and unrouted, dead-lettered)',
    [],
    one(
      () =>
        c('skipped') +
        c('skippedNullKeys') +
        c('skippedNullValues') +
        c('lateRecordsUnrouted') +
        c('deadLettered'),
    ),
  );
  counter(
    'tributary_late_records_unrouted_total',
    'late records dropped because no lateRecords() route takes them',
    [],
    one(() => c('lateRecordsUnrouted')),
  );
  counter(
    'tributary_record_errors_total',
    'records that failed, by stage (then handled by the error policy)',
    ['stage'],
    () => [
      [{ stage: 'deserialization' }, c('deserializationErrors')],
      [{ stage: 'processing' }, c('processingErrors')],
      [{ stage: 'production' }, c('productionErrors')],
    ],
  );
  counter(
    'tributary_dead_lettered_total',
    'records sent to a dead-letter topic',
    [],
    one(() => c('deadLettered')),
  );

  // Kafka Streams' state-store metrics (stream-state-metrics, tags task-id, [store-type]-id): one
  // series per task and store; latencies in ns, as Kafka Streams reports them for stores.
  const storeLabels = ['task', 'store_type', 'state_id'];
  for (const op of STORE_OPS) {
    const name = `kafka_streams_stream_state_metrics_${op.replace('-', '_')}`;
    const samples = (read: (m: OpMeter) => number) => () =>
      view().stores.flatMap((s) => {
        const m = s.ops.get(op);
        return m ? [[{ task: s.taskId, store_type: s.storeType, state_id: s.store }, read(m)] as Sample] : [];
      });
    gauge(
      `${name}_latency_avg`,
      `${op} calls: average latency, ns, of the timed calls (1 in 16; 30 s window; NaN when none)`,
      storeLabels,
      samples((m) => m.avg()),
    );
    gauge(
      `${name}_latency_max`,
      `${op} calls: maximum latency, ns, of the timed calls (1 in 16; 30 s window; NaN when none)`,
      storeLabels,
      samples((m) => m.max()),
    );
    gauge(
      `${name}_rate`,
      `${op} calls per second (30 s window)`,
      storeLabels,
      samples((m) => m.rate()),
    );
    counter(
      `${name}_total`,
      `${op} calls`,
      storeLabels,
      samples((m) => m.count),
    );
  }

  const coordinator = 'kafka_consumer_consumer_coordinator_metrics';
  counter(
    `${coordinator}_rebalance_total`,
    'rebalances completed by this instance',
    [],
    one(() => src.stats.rebalance.count),
  );
  gauge(
    `${coordinator}_rebalance_latency_avg`,
    'rebalance pause, ms: announced to tasks running again (30 s window; NaN when there was none)',
    [],
    one(() => src.stats.rebalance.avg()),
  );
  gauge(
    `${coordinator}_rebalance_latency_max`,
    'longest rebalance pause, ms (30 s window; NaN when there was none)',
    [],
    one(() => src.stats.rebalance.max()),
  );
  gauge(
    'kafka_streams_stream_metrics_client_state',
    '1 for the client state the instance is in',
    ['state'],
    () => STATES.map((s) => [{ state: s }, src.state() === s ? 1 : 0] as Sample),
  );
  return { registry, scrape };
}
