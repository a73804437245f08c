import { SessionWindows, type Topology } from '@tributary/core';
import { windowedTopology } from './windowed-topology.js';

/**
 * Tributary's side of SessionScenarios.java: the same topologies under the same names, windowed keys
 * rendered as `key@start/end`, tombstones as null.
 */
const gap5Grace2 = SessionWindows.ofInactivityGapAndGrace(5_000, 2_000);

export const sessionScenarios: Readonly<Record<string, () => Topology>> = {
  'session-count-updates': () =>
    windowedTopology((g) => g.windowedBy(gap5Grace2).count({ name: 'counts', emit: 'update' })),

  'session-reduce': () =>
    windowedTopology((g) =>
      g.windowedBy(gap5Grace2).reduce((a, v) => `${a}+${v}`, { name: 'reduced', emit: 'update' }),
    ),

  'session-aggregate-merger': () =>
    windowedTopology((g) =>
      g.windowedBy(gap5Grace2).aggregate(
        () => '',
        (_k, v, a) => `${a}${v}`,
        (_k, a1, a2) => `(${a1}|${a2})`,
        { name: 'agg', emit: 'update' },
      ),
    ),

  'session-grace-boundary': () =>
    windowedTopology((g) => g.windowedBy(gap5Grace2).count({ name: 'counts', emit: 'update' })),

  'session-out-of-order': () =>
    windowedTopology((g) =>
      g
        .windowedBy(SessionWindows.ofInactivityGapAndGrace(5_000, 10_000))
        .count({ name: 'counts', emit: 'update' }),
    ),

  'session-emit-final': () =>
    windowedTopology((g) => g.windowedBy(gap5Grace2).count({ name: 'counts', emit: 'final' })),
};
