import { type Clock, systemClock } from '../../clock.js';
import type { RawRecord, TopicTailer } from '../../kafka/ports.js';
import type { Logger } from '../../logger.js';
import type { StateStore } from '../../state/store.js';
import type { Topology } from '../graph/topology.js';
import { ObjectKeyValueStore } from '../state/object-store.js';

/**
 * Global tables: every instance reads every partition of their topics into memory before processing
 * starts, then keeps them current. The source topic is their changelog, so nothing else is written.
 */
export class GlobalState {
  private readonly stores = new Map<string, ObjectKeyValueStore<unknown, unknown>>();
  private tailer: TopicTailer | undefined;
  errors = 0;

  constructor(
    private readonly topology: Topology,
    private readonly logger: Logger,
    private readonly clock: Clock = systemClock,
  ) {
    for (const g of topology.globalStores)
      this.stores.set(g.name, new ObjectKeyValueStore(g.name, g.keySerde, g.topic));
  }

  store(name: string): StateStore | undefined {
    return this.stores.get(name);
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
        const store = g && this.stores.get(g.name);
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
    });
    this.logger.info('global tables ready', {
      stores: [...this.stores.keys()],
      records: count,
      entries: [...this.stores.values()].reduce((n, s) => n + s.approximateNumEntries(), 0),
      ms: this.clock.now() - started,
    });
  }

  async stop(): Promise<void> {
    await this.tailer?.stop();
  }
}
