import { describe, expect, it } from 'vitest';
import { loadFixtures } from './fixture.js';
import { replay } from './replay.js';
import { deviations, scenarios } from './scenarios/index.js';

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
    const deviation = deviations[fixture.name];
    const title = deviation ? ` (deviation: ${deviation.reason})` : '';
    it(`${fixture.name}: ${fixture.description}${title}`, async () => {
      const build = scenarios[fixture.name];
      if (!build) throw new Error(`no Tributary topology for scenario ${fixture.name}`);
      const result = await replay(fixture, build());
      if (!deviation) {
        expect(result).toEqual({ outputs: fixture.outputs, errorStep: fixture.error?.step });
        return;
      }
      // A deviation must still be one: Tributary's documented output, which Kafka Streams' is not.
      expect(result.outputs).toEqual(deviation.outputs);
      expect(result.outputs).not.toEqual(fixture.outputs);
    });
  }

  it('has a fixture for every documented deviation', () => {
    expect(Object.keys(deviations).filter((n) => !fixtures.some((f) => f.name === n))).toEqual([]);
  });
});
