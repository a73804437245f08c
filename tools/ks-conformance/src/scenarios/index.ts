import type { Topology } from '@tributary/core';
import { aggregationScenarios } from './aggregations.js';
import { foreignKeyJoinScenarios } from './foreign-key-joins.js';
import { sessionScenarios } from './sessions.js';
import { streamJoinScenarios } from './stream-joins.js';
import { tableJoinScenarios } from './table-joins.js';

/**
 * Tributary's side of every scenario in ../main/java/conformance, by name: each area's module holds
 * the same topologies as its *Scenarios.java. A fixture without an entry here fails the test.
 */
export const scenarios: Readonly<Record<string, () => Topology>> = {
  ...aggregationScenarios,
  ...streamJoinScenarios,
  ...sessionScenarios,
  ...tableJoinScenarios,
  ...foreignKeyJoinScenarios,
};
