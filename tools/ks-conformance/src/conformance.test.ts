import { describe, expect, it } from 'vitest';
import { loadFixtures } from './fixture.js';
import { replay } from './replay.js';
import { scenarios } from './scenarios/index.js';

/**
 * Each committed fixture holds Kafka Streams 4.1's own output for a scenario (bash
 * tools/ks-conformance/generate.sh); Tributary must produce the same records, in the same order,
 * with the same timestamps.
 */
const fixtures = loadFixtures();

describe('Kafka Streams conformance', () => {
  it('has fixtures, each with a Tributary topology', () => {
    expect(fixtures.length).toBeGreaterThan(0);
    expect(fixtures.map((f) => f.name).filter((n) => !(n in scenarios))).toEqual([]);
  });

  for (const fixture of fixtures) {
    it(`${fixture.name}: ${fixture.description}`, async () => {
      const build = scenarios[fixture.name];
      if (!build) throw new Error(`no Tributary topology for scenario ${fixture.name}`);
      expect(await replay(fixture, build())).toEqual({
        outputs: fixture.outputs,
        errorStep: fixture.error?.step,
      });
    });
  }
});
