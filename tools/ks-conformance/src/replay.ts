import { Serdes, type Topology } from '@tributary/core';
import { type TestInputTopic, TopologyTestDriver } from '@tributary/core/testing';
import type { Fixture, FixtureRecord } from './fixture.js';

const strings = Serdes.string();

/**
 * Replays a fixture's steps through Tributary's TopologyTestDriver and returns what reached each of
 * the fixture's output topics, in the shape the fixture records Kafka Streams' output.
 */
export async function replay(fixture: Fixture, topology: Topology): Promise<Record<string, FixtureRecord[]>> {
  const driver = await TopologyTestDriver.create(topology, {
    applicationId: 'conformance',
    initialWallClockMs: fixture.initialWallClockMs,
    // Kafka Streams' clock: the comparison is with its semantics (watermarks are Tributary's default).
    eventTime: 'stream-time',
  });
  try {
    const outputs = Object.fromEntries(
      Object.keys(fixture.outputs).map((t) => [t, driver.createOutputTopic(t, strings, strings)]),
    );
    const inputs = new Map<string, TestInputTopic<string | null, string | null>>();
    for (const step of fixture.steps) {
      if ('advanceWallClock' in step) {
        await driver.advanceWallClockTime(step.advanceWallClock);
        continue;
      }
      let input = inputs.get(step.pipe);
      if (!input) {
        input = driver.createInputTopic<string | null, string | null>(step.pipe, strings, strings);
        inputs.set(step.pipe, input);
      }
      await input.pipeInput(step.key, step.value, step.timestamp);
    }
    const result: Record<string, FixtureRecord[]> = {};
    for (const [topic, out] of Object.entries(outputs)) {
      result[topic] = out
        .readRecordsToList()
        .map((r) => ({ key: r.key, value: r.value, timestamp: r.timestamp }));
    }
    return result;
  } finally {
    await driver.close();
  }
}
