// Test support for the query and server tests: a topology with a key-value and a window store, and a
// QueryHost whose tasks hold plain in-memory stores. Not exported from the package.
import { Partitioners } from 'kafkajs';
import type { Topology } from '../internal/graph/topology.js';
import type { ActiveTask } from '../internal/runtime/active-task.js';
import type { StreamsState } from '../internal/runtime/state-machine.js';
import { ObjectKeyValueStore } from '../internal/state/object-store.js';
import { StreamsBuilder } from '../kstream/streams-builder.js';
import { TimeWindows } from '../kstream/windows.js';
import { Serdes } from '../serde/serdes.js';
import type { StateStore, WindowedEntry } from '../state/store.js';
import type { QueryHost } from './local-stores.js';

export function queryTopology(): Topology {
  const b = new StreamsBuilder();
  const s = b.stream<string, string>('in', {
    keySerde: Serdes.string(),
    valueSerde: Serdes.string(),
    name: 'in',
  });
  const grouped = s.groupByKey({ keySerde: Serdes.string(), valueSerde: Serdes.string() });
  grouped.count({ name: 'counts' });
  grouped.windowedBy(TimeWindows.ofSizeWithNoGrace(60_000)).count({ name: 'per-minute' });
  return b.build();
}

/** A window store over a sorted array, enough for read queries. */
class ArrayWindowStore {
  readonly entries: WindowedEntry<string, number>[] = [];
  constructor(readonly name: string) {}
  put(key: string, value: number, windowStart: number): void {
    this.entries.push({ key, windowStart, value });
    this.entries.sort((a, b) => a.key.localeCompare(b.key) || a.windowStart - b.windowStart);
  }
  fetch(key: string, windowStart: number): number | undefined {
    return this.entries.find((e) => e.key === key && e.windowStart === windowStart)?.value;
  }
  async *fetchRange(key: string, from: number, to: number): AsyncIterable<WindowedEntry<string, number>> {
    for (const e of this.entries) if (e.key === key && e.windowStart >= from && e.windowStart <= to) yield e;
  }
  async *fetchAll(from: number, to: number): AsyncIterable<WindowedEntry<string, number>> {
    for (const e of this.entries) if (e.windowStart >= from && e.windowStart <= to) yield e;
  }
  all(): AsyncIterable<WindowedEntry<string, number>> {
    return this.fetchAll(Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
  }
}

export interface FixtureTask {
  readonly counts: ObjectKeyValueStore<string, number>;
  readonly perMinute: ArrayWindowStore;
}

export interface QueryFixture {
  readonly host: QueryHost;
  /** Stores of the tasks that run here, by partition. */
  readonly tasks: Map<number, FixtureTask>;
  state: StreamsState;
  /** Partitions assigned here but still restoring. */
  readonly restoring: Set<number>;
  /** Owners of other partitions, as the instances topic would say. */
  readonly owners: Map<number, string>;
}

/** A host with `partitions` tasks per sub-topology; the sub-topology of both stores is 0. */
export function queryFixture(opts: { partitions: number; hosted: number[]; self?: string }): QueryFixture {
  const topology = queryTopology();
  const tasks = new Map<number, FixtureTask>();
  for (const p of opts.hosted)
    tasks.set(p, {
      counts: new ObjectKeyValueStore('counts', Serdes.string(), 'app-counts-changelog'),
      perMinute: new ArrayWindowStore('per-minute'),
    });
  const fixture: QueryFixture = {
    tasks,
    state: 'running',
    restoring: new Set(),
    owners: new Map(),
    host: {
      applicationId: 'app',
      topology,
      state: () => fixture.state,
      tasks: () => {
        const active = new Map<string, ActiveTask>();
        for (const [p, t] of tasks) {
          const stores = {
            store: (name: string) => (name === 'counts' ? t.counts : t.perMinute) as StateStore,
          };
          active.set(`0_${p}`, { id: `0_${p}`, partition: p, stores } as unknown as ActiveTask);
        }
        const assigned = new Set([...active.keys(), ...[...fixture.restoring].map((p) => `0_${p}`)]);
        const restoring = [...assigned].filter((id) => !active.has(id)).sort();
        return { tasks: active, assignedTaskIds: () => assigned, restoringTaskIds: () => restoring };
      },
      taskCount: () => opts.partitions,
      globalStore: () => undefined,
      ownerOf: (taskId) => fixture.owners.get(Number(taskId.split('_')[1])),
      localServer: () => opts.self,
    },
  };
  return fixture;
}

/** The partition kafkajs' Java-compatible partitioner gives a string key: the tests' independent truth. */
export function producerPartition(key: string, partitions: number): number {
  const partitionMetadata = Array.from({ length: partitions }, (_, i) => ({
    partitionId: i,
    leader: 0,
    partitionErrorCode: 0,
    replicas: [0],
    isr: [0],
  }));
  return Partitioners.DefaultPartitioner()({
    topic: 't',
    partitionMetadata,
    message: { key: Buffer.from(key), value: null },
  });
}
