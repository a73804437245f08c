import type { RawRecord } from '../../kafka/ports.js';
import { resolveTopic } from '../graph/nodes.js';
import type { Topology } from '../graph/topology.js';
import { defaultDeadLetterTopic } from '../names.js';
import type { ErrorPolicy, ErrorStage } from './error-policy.js';
import type { RecordCollector } from './record-collector.js';

/** Headers on a dead-lettered record: where it came from and why it failed. */
export const DLQ_HEADERS = {
  topic: 'tributary.source.topic',
  partition: 'tributary.source.partition',
  offset: 'tributary.source.offset',
  stage: 'tributary.error.stage',
  error: 'tributary.error.message',
  task: 'tributary.task.id',
  /** Only on the dead letter of a record a punctuator or a processor's close() emitted: its topic. */
  sinkTopic: 'tributary.sink.topic',
} as const;

/** Messages longer than this are cut in the header (a header is no place for a megabyte of stack). */
const MAX_ERROR_HEADER = 2000;

export function deadLetterTopic(policy: ErrorPolicy, sourceTopic: string): string | undefined {
  if (policy.mode !== 'dead-letter') return undefined;
  if (typeof policy.topic === 'function') return policy.topic(sourceTopic);
  return policy.topic ?? defaultDeadLetterTopic(sourceTopic);
}

/** The dead-letter topics of every source, repartition topics included (a record failing after a repartition is dead-lettered too). */
export function deadLetterTopicsOf(topology: Topology, applicationId: string, policy: ErrorPolicy): string[] {
  const sources = topology.subtopologies.flatMap((st) =>
    st.topics.map((t) => resolveTopic(t, applicationId)),
  );
  return [
    ...new Set(sources.map((t) => deadLetterTopic(policy, t)).filter((t): t is string => t !== undefined)),
  ];
}

/** Sends the original bytes of a failed record to its dead-letter topic; returns the topic. */
export function sendToDeadLetterTopic(
  policy: ErrorPolicy,
  raw: RawRecord,
  stage: ErrorStage,
  message: string,
  ctx: { readonly collector: RecordCollector; readonly taskId: string },
): string {
  const topic = deadLetterTopic(policy, raw.topic) as string;
  ctx.collector.send({
    topic,
    key: raw.key,
    value: raw.value,
    timestamp: raw.timestamp,
    headers: {
      ...raw.headers,
      [DLQ_HEADERS.topic]: raw.topic,
      [DLQ_HEADERS.partition]: String(raw.partition),
      [DLQ_HEADERS.offset]: raw.offset.toString(),
      ...errorHeaders(stage, message, ctx.taskId),
    },
  });
  return topic;
}

/** The headers every dead letter has: the stage, the reason (cut) and the task. */
function errorHeaders(stage: ErrorStage, message: string, taskId: string): Record<string, string> {
  return {
    [DLQ_HEADERS.stage]: stage,
    [DLQ_HEADERS.error]: message.slice(0, MAX_ERROR_HEADER),
    [DLQ_HEADERS.task]: taskId,
  };
}

/** A record a punctuator or a processor's close() emitted, which a sink refused. */
export interface EmittedRecord {
  /** Where it was going. */
  readonly sinkTopic: string;
  /** The task's first input topic: its DLQ takes the dead letter. */
  readonly inputTopic: string;
  /** The task's wall-clock reading: the dead letter's timestamp. */
  readonly now: number;
}

/**
 * The dead letter of a record emitted with no input record behind it (by a punctuator, or a
 * processor's close()): there are no original bytes, so key and value are null, as in Kafka Streams'
 * dead letters of punctuations. It goes to the DLQ of the task's first input topic, stamped with the
 * wall clock (the record's own timestamp may be what was wrong with it). Returns the topic.
 */
export function sendEmittedToDeadLetterTopic(
  policy: ErrorPolicy,
  emitted: EmittedRecord,
  message: string,
  ctx: { readonly collector: RecordCollector; readonly taskId: string },
): string {
  const topic = deadLetterTopic(policy, emitted.inputTopic) as string;
  const headers = {
    ...errorHeaders('production', message, ctx.taskId),
    [DLQ_HEADERS.sinkTopic]: emitted.sinkTopic,
  };
  ctx.collector.send({ topic, key: null, value: null, timestamp: emitted.now, headers });
  return topic;
}
