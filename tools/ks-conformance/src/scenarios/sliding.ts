import { SlidingWindows, type Topology } from '@tributary/core';
import type { Deviation } from '../fixture.js';
import { windowedTopology } from './windowed-topology.js';

/**
 * Tributary's side of SlidingScenarios.java: the same topologies under the same names, windowed keys
 * rendered as `key@start/end`.
 */
const diff10 = (graceMs: number) =>
  graceMs === 0
    ? SlidingWindows.ofTimeDifferenceWithNoGrace(10_000)
    : SlidingWindows.ofTimeDifferenceAndGrace(10_000, graceMs);

const countUpdates = (graceMs: number) => () =>
  windowedTopology((g) => g.windowedBy(diff10(graceMs)).count({ name: 'counts', emit: 'update' }));
const concat = (emit: 'final' | 'update') => () =>
  windowedTopology((g) =>
    g.windowedBy(diff10(5_000)).aggregate(
      () => '',
      (_k, v, a) => (a === '' ? v : `${a},${v}`),
      { name: 'agg', emit },
    ),
  );
const finalCounts = (graceMs: number) => () =>
  windowedTopology((g) => g.windowedBy(diff10(graceMs)).count({ name: 'counts', emit: 'final' }));

export const slidingScenarios: Readonly<Record<string, () => Topology>> = {
  'sliding-count-updates': countUpdates(5_000),

  'sliding-reduce': () =>
    windowedTopology((g) =>
      g.windowedBy(diff10(5_000)).reduce((a, v) => `${a}+${v}`, { name: 'reduced', emit: 'update' }),
    ),

  'sliding-aggregate': () =>
    windowedTopology((g) =>
      g.windowedBy(diff10(5_000)).aggregate(
        () => '<',
        (_k, v, a) => `${a}${v}`,
        { name: 'agg', emit: 'update' },
      ),
    ),

  'sliding-out-of-order': countUpdates(30_000),
  'sliding-diff-boundary': countUpdates(20_000),
  'sliding-grace-boundary': countUpdates(2_000),
  'sliding-early-records': countUpdates(30_000),

  'sliding-null-values-keep-stream-time': countUpdates(0),
  'sliding-emit-final': finalCounts(2_000),
  'sliding-example-updates': countUpdates(0),
  'sliding-example-final': finalCounts(0),
  'sliding-emit-final-retention-jump': finalCounts(0),
  'sliding-emit-final-retention-day': finalCounts(0),
  'sliding-emit-final-throttle': finalCounts(0),
  'sliding-random-out-of-order': concat('update'),
  'sliding-random-out-of-order-final': concat('final'),
  'sliding-random-early': countUpdates(5_000),
};

/**
 * Kafka Streams' sliding-window store keeps windows for 2 * diff + grace after the newest window start
 * it holds, and expires them when a record is put, before the windows that record closes are emitted:
 * a jump in stream time past that retention loses their final results. Tributary keeps windows for at
 * least a day and emits them (docs/time-and-windows.md, Sliding windows).
 */
export const slidingDeviations: Readonly<Record<string, Deviation>> = {
  'sliding-emit-final-retention-jump': {
    reason: 'windows closed by a jump past the store retention are still emitted',
    outputs: {
      out: [
        { key: 'a@90000/100000', value: '1', timestamp: 100_000 },
        { key: 'a@94000/104000', value: '2', timestamp: 104_000 },
        { key: 'a@100001/110001', value: '1', timestamp: 104_000 },
        { key: 'a@101000/111000', value: '2', timestamp: 111_000 },
        { key: 'a@104001/114001', value: '1', timestamp: 111_000 },
        { key: 'z@190000/200000', value: '1', timestamp: 200_000 },
      ],
    },
  },
};
