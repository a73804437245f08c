import { describe, expect, it } from 'vitest';
import { loadFixtures } from './fixture.js';
import { replay } from './replay.js';
import { streamJoinScenariosWith } from './scenarios/stream-joins.js';

/**
 * The stream-stream join answers lookups from an in-memory index of each buffer and reads the store
 * only below what the index holds. The results must not depend on it: every ssjoin fixture again,
 * with no index at all (every lookup reads the store) and with one that holds about two records (a
 * mix of both paths), must give Kafka Streams' output.
 */
const fixtures = loadFixtures().filter((f) => f.name.startsWith('ssjoin-'));

describe('stream-stream join conformance with a small in-memory index', () => {
  it('has the ssjoin fixtures', () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(16);
  });

  for (const indexMaxBytes of [0, 340]) {
    const scenarios = streamJoinScenariosWith({ indexMaxBytes });
    for (const fixture of fixtures) {
      it(`${fixture.name} (indexMaxBytes ${indexMaxBytes})`, async () => {
        const build = scenarios[fixture.name];
        if (!build) throw new Error(`no Tributary topology for scenario ${fixture.name}`);
        const result = await replay(fixture, build());
        expect(result).toEqual({ outputs: fixture.outputs, errorStep: fixture.error?.step });
      });
    }
  }
});
