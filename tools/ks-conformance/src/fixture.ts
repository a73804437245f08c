import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** A record as Kafka Streams' TopologyTestDriver put it on an output topic. */
export interface FixtureRecord {
  readonly key: string | null;
  readonly value: string | null;
  readonly timestamp: number;
}

export type FixtureStep =
  | {
      readonly pipe: string;
      readonly key: string | null;
      readonly value: string | null;
      readonly timestamp: number;
    }
  | { readonly advanceWallClock: number };

/** One scenario's input and Kafka Streams' output, as written by `generate.sh`. */
export interface Fixture {
  readonly name: string;
  readonly description: string;
  readonly kafkaStreams: string;
  readonly initialWallClockMs: number;
  readonly steps: readonly FixtureStep[];
  readonly outputs: Readonly<Record<string, readonly FixtureRecord[]>>;
  /** Present when a step failed the task in Kafka Streams: the input stopped at that step. */
  readonly error?: { readonly step: number; readonly exception: string; readonly message: string };
}

/**
 * A documented difference from Kafka Streams: for one scenario, the output Tributary produces instead
 * of the fixture's, and why. The fixture stays Kafka Streams' measured output.
 */
export interface Deviation {
  readonly reason: string;
  readonly outputs: Readonly<Record<string, readonly FixtureRecord[]>>;
}

export const FIXTURE_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures');

export function loadFixtures(dir = FIXTURE_DIR): Fixture[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as Fixture);
}
