/** Wall-clock time source, injected so tests and the TopologyTestDriver control it. */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };
