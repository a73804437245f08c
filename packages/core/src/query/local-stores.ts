import { isTributaryError, TributaryError } from '../errors.js';
import type { Subtopology, Topology } from '../internal/graph/topology.js';
import { changelogTopicName, subtopologyOfTask, taskIdOf } from '../internal/names.js';
import type { ActiveTask } from '../internal/runtime/active-task.js';
import type { StreamsState } from '../internal/runtime/state-machine.js';
import { partitionForKey } from '../kafka/murmur2.js';
import type {
  KeyValueStore,
  SessionStore,
  StateStore,
  StoreDefinition,
  WindowedEntry,
  WindowStore,
} from '../state/store.js';
import type {
  KeyQueryMetadata,
  QueryableStoreType,
  ReadOnlyKeyValueStore,
  ReadOnlySessionStore,
  ReadOnlyStoreOf,
} from './read-only-stores.js';

/** What interactive queries need from the running app. */
export interface QueryHost {
  readonly applicationId: string;
  readonly topology: Topology;
  state(): StreamsState;
  /** The instance's tasks and its newest assignment; undefined before start. */
  tasks():
    | {
        readonly tasks: ReadonlyMap<string, ActiveTask>;
        assignedTaskIds(): ReadonlySet<string>;
        restoringTaskIds(): readonly string[];
      }
    | undefined;
  /** Tasks (= input partitions) of a sub-topology; undefined before start. */
  taskCount(subtopologyId: number): number | undefined;
  globalStore(name: string): StateStore | undefined;
  /** `host:port` of the instance running a task, as the instances topic says. */
  ownerOf(taskId: string): string | undefined;
  /** This instance's own `host:port`, if it advertises one. */
  localServer(): string | undefined;
}

/** A store of the topology, found by name. */
export interface LocatedStore {
  readonly definition: StoreDefinition;
  /** The sub-topology whose tasks hold it; undefined for global tables (every instance has all). */
  readonly subtopology: Subtopology | undefined;
}

type AnyStore = KeyValueStore<unknown, unknown> &
  WindowStore<unknown, unknown> &
  SessionStore<unknown, unknown>;

/** Read-only access to the stores of this instance's tasks, as Kafka Streams' `KafkaStreams#store`. */
export class StoreQueries {
  constructor(private readonly host: QueryHost) {}

  locate(name: string, type?: QueryableStoreType): LocatedStore {
    let located: LocatedStore | undefined;
    for (const st of this.host.topology.subtopologies) {
      const definition = st.stores.find((s) => s.name === name);
      if (definition) located = { definition, subtopology: st };
    }
    const global = this.host.topology.globalStores.find((g) => g.name === name);
    if (!located && global)
      located = {
        definition: { ...global, kind: 'key-value', logging: false, caching: false } as StoreDefinition,
        subtopology: undefined,
      };
    if (!located) throw new TributaryError('STORE_NOT_FOUND', `the topology has no store named '${name}'`);
    if (type && located.definition.kind !== type)
      throw new TributaryError(
        'STORE_WRONG_TYPE',
        `store '${name}' is a ${located.definition.kind} store, not a ${type} store`,
      );
    return located;
  }

  store<K, V, T extends QueryableStoreType>(name: string, type: T): ReadOnlyStoreOf<T, K, V> {
    const located = this.locate(name, type);
    const byKey = (key: unknown) => this.hostedStore(located, key);
    const all = () => this.localStores(located);
    if (type === 'key-value') {
      const kv: ReadOnlyKeyValueStore<unknown, unknown> = {
        get: (key) => guarded(() => byKey(key).get(key)),
        range: (from, to) => concat(all(), (s) => s.range(from, to)),
        all: () => concat(all(), (s) => s.all()),
        approximateNumEntries: () => guarded(() => all().reduce((n, s) => n + s.approximateNumEntries(), 0)),
      };
      return kv as ReadOnlyStoreOf<T, K, V>;
    }
    if (type === 'window') {
      const ws = {
        fetch: (key: unknown, from: number, to?: number) =>
          to === undefined
            ? guarded(() => byKey(key).fetch(key, from))
            : concat([guarded(() => byKey(key))], (s) => s.fetchRange(key, from, to)),
        fetchAll: (from: number, to: number) => concat(all(), (s) => s.fetchAll(from, to)),
        all: () => concat(all(), (s) => s.all() as AsyncIterable<WindowedEntry<unknown, unknown>>),
      };
      return ws as unknown as ReadOnlyStoreOf<T, K, V>;
    }
    const ss: ReadOnlySessionStore<unknown, unknown> = {
      fetch: (key) => concat([guarded(() => byKey(key))], (s) => s.fetch(key)),
      findSessions: (key, earliestEnd, latestStart) =>
        concat([guarded(() => byKey(key))], (s) => s.findSessions(key, earliestEnd, latestStart)),
    };
    return ss as ReadOnlyStoreOf<T, K, V>;
  }

  /** Which partition and task hold `key` in `store`, and which instance runs that task. */
  metadataForKey<K>(name: string, key: K): KeyQueryMetadata {
    const located = this.locate(name);
    if (!located.subtopology) {
      const here = this.host.localServer();
      return { store: name, partition: -1, taskId: 'global', activeHost: here, local: true };
    }
    const { partition, taskId } = this.taskFor(located, key);
    const local = this.host.tasks()?.assignedTaskIds().has(taskId) ?? false;
    const activeHost = local
      ? (this.host.localServer() ?? this.host.ownerOf(taskId))
      : this.host.ownerOf(taskId);
    return { store: name, partition, taskId, activeHost, local };
  }

  private taskFor(located: LocatedStore, key: unknown): { partition: number; taskId: string } {
    const st = located.subtopology as Subtopology;
    const count = this.host.taskCount(st.id);
    if (count === undefined)
      throw new TributaryError(
        'STORE_UNAVAILABLE',
        `store '${located.definition.name}': the app has not started`,
      );
    let bytes: Buffer | null;
    try {
      bytes = located.definition.keySerde.serialize(
        key,
        changelogTopicName(this.host.applicationId, located.definition.name),
      );
    } catch (err) {
      throw new TributaryError('QUERY_INVALID', `key does not serialize with the store's key serde`, {
        cause: err,
      });
    }
    if (bytes === null) throw new TributaryError('QUERY_INVALID', 'key serialized to null');
    const partition = partitionForKey(bytes, count);
    return { partition, taskId: taskIdOf(st.id, partition) };
  }

  /** The store of the task that holds `key`; throws when that task is not running here now. */
  private hostedStore(located: LocatedStore, key: unknown): AnyStore {
    const name = located.definition.name;
    if (!located.subtopology) return this.globalStore(name);
    this.requireRunning(name);
    const { taskId, partition } = this.taskFor(located, key);
    const tasks = this.host.tasks();
    const task = tasks?.tasks.get(taskId);
    if (task?.stores) return task.stores.store<AnyStore>(name);
    if (tasks?.assignedTaskIds().has(taskId))
      throw new TributaryError('STORE_UNAVAILABLE', `store '${name}': task ${taskId} is restoring here`);
    const owner = this.host.ownerOf(taskId);
    throw new TributaryError(
      'KEY_NOT_HOSTED',
      `store '${name}': partition ${partition} (task ${taskId}) is not hosted here${owner ? `; it is on ${owner}` : ''}`,
    );
  }

  /** The store in every task of this instance (or the global table). */
  private localStores(located: LocatedStore): AnyStore[] {
    const name = located.definition.name;
    if (!located.subtopology) return [this.globalStore(name)];
    this.requireRunning(name);
    const id = located.subtopology.id;
    const tasks = this.host.tasks();
    const ofThisStore = (t: string) => subtopologyOfTask(t) === id;
    const assigned = [...(tasks?.assignedTaskIds() ?? [])].filter(ofThisStore);
    const missing = (tasks?.restoringTaskIds() ?? []).filter(ofThisStore);
    if (missing.length > 0)
      throw new TributaryError(
        'STORE_UNAVAILABLE',
        `store '${name}': tasks ${missing.join(', ')} are restoring`,
      );
    return assigned.flatMap((t) => {
      const stores = tasks?.tasks.get(t)?.stores;
      return stores ? [stores.store<AnyStore>(name)] : [];
    });
  }

  private globalStore(name: string): AnyStore {
    const store = this.host.globalStore(name);
    if (!store) throw new TributaryError('STORE_UNAVAILABLE', `global table '${name}' is not loaded`);
    return store as AnyStore;
  }

  private requireRunning(name: string): void {
    const state = this.host.state();
    if (state !== 'running')
      throw new TributaryError(
        'STORE_UNAVAILABLE',
        `store '${name}' cannot be queried while the app is ${state}`,
      );
  }
}

/** A closed store (its task just moved away) is a retryable condition for a query, not a bug. */
function guarded<T>(read: () => T): T {
  try {
    return read();
  } catch (err) {
    if (isTributaryError(err, 'STORE_CLOSED'))
      throw new TributaryError('STORE_UNAVAILABLE', 'the store closed during the query (rebalance)', {
        cause: err,
      });
    throw err;
  }
}

async function* concat<S, T>(stores: readonly S[], scan: (s: S) => AsyncIterable<T>): AsyncIterable<T> {
  for (const s of stores) {
    try {
      for await (const item of scan(s)) yield item;
    } catch (err) {
      guarded(() => {
        throw err;
      });
    }
  }
}
