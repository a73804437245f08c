import type { Topology } from '@tributary/core';
import type { Deviation } from '../fixture.js';
import { aggregationScenarios } from './aggregations.js';
import { cogroupScenarios } from './cogroup.js';
import { foreignKeyJoinScenarios } from './foreign-key-joins.js';
import { nullScenarios } from './nulls.js';
import { punctuationScenarios } from './punctuation.js';
import { resultTimestampScenarios } from './result-timestamps.js';
import { sessionScenarios } from './sessions.js';
import { slidingDeviations, slidingScenarios } from './sliding.js';
import { streamJoinScenarios } from './stream-joins.js';
import { suppressScenarios } from './suppress.js';
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
  ...nullScenarios,
  ...punctuationScenarios,
  ...resultTimestampScenarios,
  ...suppressScenarios,
  ...cogroupScenarios,
  ...slidingScenarios,
};

/** Scenarios where Tributary differs from Kafka Streams on purpose (each also in the docs), by name. */
export const deviations: Readonly<Record<string, Deviation>> = {
  ...slidingDeviations,
};
