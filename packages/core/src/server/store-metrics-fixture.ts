// Test and bench support, not exported from the package (outside internal/, which may not import
// the DSL): one task with a count and a one-minute windowed count per key, on the in-memory
// backend, built as the runtime builds its tasks.
import type { ActiveTask } from '../internal/runtime/active-task.js';
import { createTask } from '../internal/runtime/task-factory.js';
import { inMemoryBackend } from '../internal/state/backends.js';
import type { StoreStats } from '../internal/state/metered-stores.js';
import { StreamsBuilder } from '../kstream/streams-builder.js';
import { TimeWindows } from '../kstream/windows.js';
import { silentLogger } from '../logger.js';
import { Serdes } from '../serde/serdes.js';
import type { ChangelogReader, StoreDefinition } from '../state/store.js';

const emptyChangelog: ChangelogReader = {
  endOffset: async () => 0n,
  beginningOffset: async () => 0n,
  read: async () => {},
};

/** A key-value store of its own, for calls on one store outside a task. */
export const kvDefinition: StoreDefinition = {
  name: 'counts',
  kind: 'key-value',
  keySerde: Serdes.string(),
  valueSerde: Serdes.json(),
  logging: false,
  caching: false,
};

/** Stores `counts` (key-value) and `per-minute` (window) over topic `in`, string keys and values. */
export async function countingTask(storeStats: StoreStats | undefined): Promise<ActiveTask> {
  const b = new StreamsBuilder();
  const grouped = b
    .stream<string, string>('in', { keySerde: Serdes.string(), valueSerde: Serdes.string() })
    .groupByKey({ keySerde: Serdes.string(), valueSerde: Serdes.string() });
  grouped.count({ name: 'counts' });
  grouped.windowedBy(TimeWindows.ofSizeWithNoGrace(60_000)).count({ name: 'per-minute' });
  const st = b.build().subtopologies[0];
  if (!st) throw new Error('no sub-topology');
  return createTask(
    { id: '0_0', subtopology: st, partition: 0 },
    {
      applicationId: 'app',
      state: inMemoryBackend(),
      changelogReader: () => emptyChangelog,
      exactlyOnce: false,
      globalStore: () => undefined,
      errorPolicy: { mode: 'fail' },
      logger: silentLogger,
      clock: { now: () => 0 },
      ...(storeStats ? { storeStats } : {}),
    },
    { committedOffsets: new Map(), outputs: [], producer: undefined },
  );
}
