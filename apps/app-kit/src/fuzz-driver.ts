import { DLQ_HEADERS, Serdes, type Topology } from '@tributary/core';
import { type TestInputTopic, TopologyTestDriver } from '@tributary/core/testing';
import {
  countKinds,
  dlqProblems,
  dlqReasonProblems,
  type ExpectedReasons,
  type FuzzRecord,
  prototypeChanges,
  prototypeSnapshot,
} from './hostile.js';

/** Kafka 4.x brokers refuse timestamps more than `message.timestamp.after.max.ms` (1 h) ahead. */
const BROKER_AHEAD_MS = 3_600_000;

export interface DriverFuzzRun {
  readonly driver: TopologyTestDriver;
  /** What is wrong with the dead letters and counters (empty when all is right). */
  readonly problems: readonly string[];
}

/**
 * The apps' fuzz loop on the TopologyTestDriver: the dead-letter policy, the wall clock at `now`
 * and the broker's 1 h timestamp limit; every record piped as raw bytes with its own timestamp to
 * its `topic` (default `inputTopic`). `settle` runs after the last record (a commit, a close) before
 * the dead letters are read. Each DLQ must hold exactly the hostile records of its sources, each with
 * the reason `reasons` gives its kind, `deadLettered` must count them all, and the built-in
 * prototypes must have the same own properties after the run as before. The output is the caller's to check against its
 * ground truth, through `driver`. Prints the kinds' counts when FUZZ_COUNTS is set.
 */
export async function fuzzOnDriver(o: {
  name: string;
  topology: Topology;
  records: readonly FuzzRecord[];
  now: number;
  inputTopic?: string;
  /** The DLQ of each source topic; default `dlq` for all. */
  deadLetterTopic?: (sourceTopic: string) => string;
  settle?: (driver: TopologyTestDriver) => Promise<void>;
  /** The stage and reason each hostile kind must be dead-lettered with. */
  reasons: ExpectedReasons;
}): Promise<DriverFuzzRun> {
  const prototypes = prototypeSnapshot();
  const dlqOf = o.deadLetterTopic ?? (() => 'dlq');
  const topicOf = (r: FuzzRecord) => r.topic ?? o.inputTopic ?? 'in';
  const driver = await TopologyTestDriver.create(o.topology, {
    errorPolicy: { mode: 'dead-letter', topic: dlqOf },
    initialWallClockMs: o.now,
    recordLimits: { maxTimestampAheadMs: BROKER_AHEAD_MS },
  });
  const inputs = new Map<string, TestInputTopic<Buffer, Buffer>>();
  for (const r of o.records) {
    const topic = topicOf(r);
    let input = inputs.get(topic);
    if (!input) {
      input = driver.createInputTopic(topic, Serdes.bytes(), Serdes.bytes());
      inputs.set(topic, input);
    }
    await input.pipeRaw(r.key, r.value, r.timestamp);
  }
  await o.settle?.(driver);

  const problems: string[] = [];
  const hostile = o.records.filter((r) => r.kind !== 'valid');
  const byDlq = new Map<string, FuzzRecord[]>();
  for (const r of hostile) {
    const dlq = dlqOf(topicOf(r));
    const list = byDlq.get(dlq);
    if (list) list.push(r);
    else byDlq.set(dlq, [r]);
  }
  for (const [topic, sent] of byDlq) {
    const dlq = driver.createOutputTopic(topic, Serdes.bytes(), Serdes.bytes()).readRecordsToList();
    for (const p of dlqProblems(dlq, sent, DLQ_HEADERS.error)) problems.push(`${topic}: ${p}`);
    for (const p of dlqReasonProblems(dlq, sent, o.reasons)) problems.push(`${topic}: ${p}`);
  }
  const changed = prototypeChanges(prototypes);
  if (changed.length > 0) problems.push(`built-in prototypes changed: ${changed.join(', ')}`);
  const { deadLettered } = driver.errorCounters();
  if (deadLettered !== hostile.length)
    problems.push(`deadLettered is ${deadLettered} for ${hostile.length} hostile records`);
  if (process.env.FUZZ_COUNTS) console.log(`${o.name} hostile fuzz`, countKinds(o.records));
  return { driver, problems };
}
