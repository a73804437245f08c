import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { describe, expect, it } from 'vitest';
import { RuntimeStats } from '../internal/runtime/runtime-stats.js';
import { StoreStats } from '../internal/state/metered-stores.js';
import { Serdes } from '../serde/serdes.js';
import { createMetricsRegistry, type MetricsSource } from './metrics.js';

/** A registry over `stats` of an idle running instance `a:1`; `more` overrides the rest of the source. */
function idleRegistry(stats: RuntimeStats, more: Partial<MetricsSource> = {}) {
  return createMetricsRegistry({
    applicationId: 'app',
    instance: 'a:1',
    state: () => 'running',
    counters: () => ({}),
    stats,
    lags: () => [],
    restoringTaskIds: () => [],
    ...more,
  });
}

describe('/metrics: Kafka Streams names in Prometheus text', () => {
  it('parses with a Prometheus text parser and reports what was recorded', async () => {
    let now = 1_000_000;
    const stats = new RuntimeStats(() => now);
    // 3 runs: 100 records in 50 ms, 300 in 90 ms, 600 in 60 ms.
    const runs = [
      [100, 50],
      [300, 90],
      [600, 60],
    ] as const;
    for (const [n, ms] of runs) {
      now += 1000;
      stats.process.record(n, ms);
    }
    stats.commit.record(1, 12);
    stats.commit.record(1, 30);
    stats.onRebalanced(250);
    stats.onRestoreProgress({
      taskId: '0_1',
      store: 'counts',
      topic: 'app-counts-changelog',
      partition: 1,
      phase: 'progress',
      fromOffset: 0n,
      toOffset: 1000n,
      restored: 400,
      elapsedMs: 10,
    });
    const counters = {
      processed: 1000,
      deserializationErrors: 2,
      processingErrors: 1,
      productionErrors: 0,
      deadLettered: 3,
      skipped: 0,
      skippedNullKeys: 4,
      skippedNullValues: 0,
      lateRecordsUnrouted: 5,
    };
    let counterReads = 0;
    const metrics = createMetricsRegistry({
      applicationId: 'app',
      instance: 'host-a:8080',
      state: () => 'running',
      counters: () => {
        counterReads++;
        return counters;
      },
      stats,
      lags: () => [
        { topic: 'in', partition: 0, taskId: '0_0', lag: 7 },
        { topic: 'in', partition: 1, taskId: '0_1', lag: 42 },
      ],
      restoringTaskIds: () => ['0_1'],
    });
    const parsed = parsePrometheusTextFormat(await metrics.scrape());
    // One read of the app's counters per scrape, however many metrics use them.
    expect(counterReads).toBe(1);
    const value = (name: string, labels: Record<string, string> = {}) => {
      const m = parsed.find((p) => p.name === name);
      if (!m) throw new Error(`no metric ${name}`);
      const sample = m.metrics.find((s) => Object.entries(labels).every(([k, v]) => s.labels?.[k] === v));
      return Number(sample?.value);
    };
    const thread = 'kafka_streams_stream_thread_metrics';
    expect(parsed.find((p) => p.name === `${thread}_process_total`)?.type).toBe('COUNTER');
    // process_total is the process meter's own count (the runtime's `processed` counter reads it too).
    expect(value(`${thread}_process_total`, { application: 'app', instance: 'host-a:8080' })).toBe(1000);
    // The window holds all three runs: (50 + 90 + 60) ms over 1000 records; 1000 records in 3 s.
    expect(value(`${thread}_process_latency_avg`)).toBeCloseTo(200 / 1000, 6);
    expect(value(`${thread}_process_latency_max`)).toBeCloseTo(0.5, 6); // 50 ms / 100 records
    expect(value(`${thread}_process_rate`)).toBeCloseTo(1000 / 3, 6);
    expect(value(`${thread}_commit_total`)).toBe(2);
    expect(value(`${thread}_commit_latency_avg`)).toBe(21);
    expect(value(`${thread}_commit_latency_max`)).toBe(30);
    expect(
      value('kafka_consumer_consumer_fetch_manager_metrics_records_lag', { partition: '1', task: '0_1' }),
    ).toBe(42);
    expect(value('kafka_consumer_consumer_fetch_manager_metrics_records_lag_max')).toBe(42);
    expect(value('kafka_streams_stream_task_metrics_restore_remaining_records_total', { task: '0_1' })).toBe(
      600,
    );
    expect(value('kafka_streams_stream_state_updater_metrics_restore_total')).toBe(400);
    expect(value('kafka_streams_stream_task_metrics_dropped_records_total')).toBe(4 + 5 + 3);
    expect(value('tributary_record_errors_total', { stage: 'deserialization' })).toBe(2);
    expect(value('tributary_dead_lettered_total')).toBe(3);
    expect(value('kafka_consumer_consumer_coordinator_metrics_rebalance_total')).toBe(1);
    expect(value('kafka_consumer_consumer_coordinator_metrics_rebalance_latency_max')).toBe(250);
    expect(value('kafka_streams_stream_metrics_client_state', { state: 'running' })).toBe(1);
    expect(value('kafka_streams_stream_metrics_client_state', { state: 'error' })).toBe(0);
  });

  it('rates and maxima forget what is older than the 30 s window, read or not in between', () => {
    let now = 0;
    const stats = new RuntimeStats(() => now);
    stats.process.record(100, 1000);
    now = 1000;
    expect(stats.process.max()).toBe(10);
    // Nothing reads the meter for a minute: the next record still starts a fresh window.
    now = 62_000;
    stats.process.record(10, 10);
    expect(stats.process.max()).toBe(1);
    expect(stats.process.avg()).toBe(1);
    expect(stats.process.rate()).toBeCloseTo(10 / 30, 6);
    expect(stats.process.count).toBe(110);
    now = 100_000;
    expect(stats.process.avg()).toBeNaN();
    expect(stats.process.max()).toBeNaN();
    expect(stats.process.rate()).toBe(0);
  });

  it('a 0 ms rebalance pause is a 0, an unmeasured one no sample; no rebalance at all is NaN', async () => {
    let now = 0;
    const stats = new RuntimeStats(() => now);
    const metrics = idleRegistry(stats);
    const read = async () => {
      const parsed = parsePrometheusTextFormat(await metrics.scrape());
      const v = (n: string) =>
        Number(
          parsed.find((p) => p.name === `kafka_consumer_consumer_coordinator_metrics_rebalance_${n}`)
            ?.metrics[0]?.value,
        );
      return { total: v('total'), avg: v('latency_avg'), max: v('latency_max') };
    };
    expect(await read()).toEqual({ total: 0, avg: Number.NaN, max: Number.NaN });
    stats.onRebalanced(undefined); // the first assignment: no pause was measured
    expect(await read()).toEqual({ total: 1, avg: Number.NaN, max: Number.NaN });
    now = 2000;
    stats.onRebalanced(0);
    expect(await read()).toEqual({ total: 2, avg: 0, max: 0 });
    stats.onRebalanced(300);
    expect(await read()).toEqual({ total: 3, avg: 150, max: 300 });
  });

  it('restore-remaining-records: only restores under way; a finished or stopped one leaves', async () => {
    const stats = new RuntimeStats(() => 0);
    let restoring = ['0_1', '0_2'];
    const metrics = idleRegistry(stats, { restoringTaskIds: () => restoring });
    const progress = (taskId: string, phase: 'start' | 'progress' | 'end', restored: number) =>
      stats.onRestoreProgress({
        taskId,
        store: 'counts',
        topic: 'app-counts-changelog',
        partition: Number(taskId.slice(2)),
        phase,
        fromOffset: 0n,
        toOffset: 1000n,
        restored,
        elapsedMs: 1,
      });
    const remaining = async () =>
      Object.fromEntries(
        (
          parsePrometheusTextFormat(await metrics.scrape()).find(
            (p) => p.name === 'kafka_streams_stream_task_metrics_restore_remaining_records_total',
          )?.metrics ?? []
        ).map((m) => [m.labels?.task, Number(m.value)]),
      );
    progress('0_1', 'start', 0);
    progress('0_2', 'start', 0);
    progress('0_1', 'progress', 400);
    progress('0_2', 'progress', 100);
    expect(await remaining()).toEqual({ '0_1': 600, '0_2': 900 });
    progress('0_1', 'end', 1000);
    expect(await remaining()).toEqual({ '0_2': 900 });
    // 0_2's restore was stopped (the task went to another instance): no end event, not restoring now.
    restoring = [];
    expect(await remaining()).toEqual({});
    // It comes back and restores again from the start: counted from zero, not from the last 100.
    restoring = ['0_2'];
    progress('0_2', 'start', 0);
    progress('0_2', 'progress', 50);
    expect(await remaining()).toEqual({ '0_2': 950 });
    expect(stats.restore.count).toBe(400 + 600 + 100 + 50);
  });
  it('state-store metrics: Kafka Streams names, one series per task and store, latencies in ns', async () => {
    let now = 0;
    const storeStats = new StoreStats(() => now);
    const definition = {
      name: 'counts',
      kind: 'key-value',
      keySerde: Serdes.string(),
      valueSerde: Serdes.json(),
      logging: true,
      caching: true,
    } as const;
    const meters = storeStats.open('0_1', definition, 'leveldb');
    const put = meters.ops.get('put')?.meter;
    // Two timed puts of 1 µs and 3 µs, one second apart.
    put?.recordAt(1000, 1, 1000, 1);
    put?.recordAt(2000, 1, 3000, 1);
    now = 2000;
    const metrics = idleRegistry(new RuntimeStats(() => now), { storeStats });
    const parsed = parsePrometheusTextFormat(await metrics.scrape());
    const sample = (name: string) =>
      parsed.find((p) => p.name === `kafka_streams_stream_state_metrics_${name}`)?.metrics[0];
    const labels = {
      application: 'app',
      instance: 'a:1',
      task: '0_1',
      store_type: 'leveldb-state',
      state_id: 'counts',
    };
    expect(sample('put_latency_avg')).toEqual({ labels, value: '2000' });
    expect(sample('put_latency_max')?.value).toBe('3000');
    expect(sample('put_total')?.value).toBe('2');
    expect(Number(sample('put_rate')?.value)).toBeCloseTo(1, 6);
    expect(sample('get_total')?.value).toBe('0');
    expect(sample('get_latency_avg')?.value).toBe('Nan');
    // A window-only op has no series for a key-value store.
    expect(sample('fetch_total')).toBeUndefined();
  });
});
