import { type Clock, systemClock } from '../../clock.js';
import type { RawRecord, TopicTailer } from '../../kafka/ports.js';
import type { Logger } from '../../logger.js';
import type { StateStore } from '../../state/store.js';
import type { GlobalStoreNode } from '../graph/nodes.js';
import type { Topology } from '../graph/topology.js';
import { CacheBudget } from '../state/cache-budget.js';
import { ChangeLoggingStore } from '../state/change-logging.js';
import { MemoryBytesStore } from '../state/memory-store.js';
import { PendingBatchStore } from '../state/pending-batch.js';
import { TypedKeyValueStore } from '../state/typed-stores.js';

interface GlobalStore {
  readonly typed: TypedKeyValueStore<unknown, unknown>;
  readonly buffer: PendingBatchStore;
}

/**
 * Global tables: every instance reads every partition of their topics into memory before processing
 * starts, then keeps them current. The source topic is their changelog, so nothing else is written.
 */
export class GlobalState {
  private readonly stores = new Map<string, GlobalStore>();
  private readonly budget = new CacheBudget();
  /** Writes reach the bytes stores one flush after another, after every batch the tailer delivers. */
  private flushed: Promise<void> = Promise.resolve();
  private tailer: TopicTailer | undefined;
  errors = 0;

  constructor(
    private readonly topology: Topology,
    private readonly logger: Logger,
    private readonly clock: Clock = systemClock,
  ) {
    for (const g of topology.globalStores) this.stores.set(g.name, this.open(g));
  }

  store(name: string): StateStore | undefined {
    return this.stores.get(name)?.typed;
  }

  async start(tailer: TopicTailer): Promise<void> {
    if (this.topology.globalStores.length === 0) return;
    this.tailer = tailer;
    const started = this.clock.now();
    const byTopic = new Map(this.topology.globalStores.map((g) => [g.topic, g]));
    let count = 0;
    await tailer.start([...byTopic.keys()], (records: readonly RawRecord[]) => {
      for (const r of records) {
        const g = byTopic.get(r.topic);
        const store = g && this.stores.get(g.name)?.typed;
        if (!g || !store) continue;
        try {
          const key = g.keySerde.deserialize(r.key, r.topic);
          if (r.value === null) store.delete(key);
          else store.put(key, g.valueSerde.deserialize(r.value, r.topic));
          count += 1;
        } catch (err) {
          // A bad row in a global table cannot be dead-lettered per stream record; it is counted and logged.
          this.errors += 1;
          this.logger.warn('global table record skipped', {
            topic: r.topic,
            partition: r.partition,
            offset: r.offset.toString(),
            error: String(err),
          });
        }
      }
      this.flushed = this.flushed.then(() => this.flush());
    });
    await this.flushed;
    this.logger.info('global tables ready', {
      stores: [...this.stores.keys()],
      records: count,
      entries: [...this.stores.values()].reduce((n, s) => n + s.typed.approximateNumEntries(), 0),
      ms: this.clock.now() - started,
    });
  }

  async stop(): Promise<void> {
    await this.tailer?.stop();
    await this.flushed;
  }

  /**
   * The production key-value stack without caching or a changelog (the source topic is one): typed
   * store, uncached write buffer, unlogged change-logging layer, memory bytes. Serdes get the source
   * topic, as task stores' serdes get their changelog topic.
   */
  private open(g: GlobalStoreNode): GlobalStore {
    const bytes = new ChangeLoggingStore(new MemoryBytesStore(g.name), undefined);
    const buffer = new PendingBatchStore(bytes, this.budget, this.clock);
    const { name, keySerde, valueSerde } = g;
    const definition = {
      name,
      kind: 'key-value',
      keySerde,
      valueSerde,
      logging: false,
      caching: false,
    } as const;
    return { typed: new TypedKeyValueStore(definition, buffer, { closed: false }, g.topic), buffer };
  }

  private async flush(): Promise<void> {
    try {
      await Promise.all([...this.stores.values()].map((s) => s.buffer.flush()));
    } catch (err) {
      // Memory writes do not fail; should one, its writes stay buffered (and readable) for the next flush.
      this.logger.warn('global table flush failed', { error: String(err) });
    }
  }
}
