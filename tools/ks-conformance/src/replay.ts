import { Serdes, type Topology } from '@tributary/core';
import { type TestInputTopic, TopologyTestDriver } from '@tributary/core/testing';
import type { Fixture, FixtureRecord } from './fixture.js';

const strings = Serdes.string();

export interface Replayed {
  readonly outputs: Record<string, FixtureRecord[]>;
  /** The step that failed the task, if one did (the replay stops there, as the fixture's input). */
  readonly errorStep: number | undefined;
}

/**
 * Replays a fixture's steps through Tributary's TopologyTestDriver and returns what reached each of
 * the fixture's output topics, in the shape the fixture records Kafka Streams' output.
 */
export async function replay(fixture: Fixture, topology: Topology): Promise<Replayed> {
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
    let errorStep: number | undefined;
    for (const [index, step] of fixture.steps.entries()) {
      try {
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
      } catch (err) {
        if (fixture.error === undefined) throw err;
        errorStep = index;
        break;
      }
    }
    const result: Record<string, FixtureRecord[]> = {};
    for (const [topic, out] of Object.entries(outputs)) {
      result[topic] = out
        .readRecordsToList()
        .map((r) => ({ key: r.key, value: r.value, timestamp: r.timestamp }));
    }
    return { outputs: result, errorStep };
  } finally {
    await driver.close().catch((err: unknown) => {
      if (fixture.error === undefined) throw err;
    });
  }
}
