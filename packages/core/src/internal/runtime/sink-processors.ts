import type { Clock } from '../../clock.js';
import { WATERMARK_STAMP_BYTES } from '../../kafka/ports.js';
import type { Logger } from '../../logger.js';
import type { Processor } from '../../processor/processor.js';
import type { RecordMetadata, StreamRecord } from '../../record.js';
import type { SinkTask } from '../../sink/sink.js';
import { resolveTopic, type TopicSinkNode } from '../graph/nodes.js';
import { ProductionError } from './error-policy.js';
import type { RecordCollector } from './record-collector.js';
import { type ResolvedRecordLimits, unsendable } from './record-limits.js';

type AnyRecord = StreamRecord<unknown, unknown>;

/**
 * What a sink does with a record it cannot send. During processing the task rethrows, so the
 * policy applies to the input record; during a punctuation or close it applies to this record.
 */
export type Refused = (err: ProductionError, sinkTopic: string) => void;

/** Serializes and hands records to the collector; serialization errors belong to the production stage. */
export class TopicSinkProcessor implements Processor<unknown, unknown> {
  private readonly fixedTopic: string | undefined;

  constructor(
    private readonly node: TopicSinkNode,
    applicationId: string,
    private readonly collector: RecordCollector,
    private readonly opts: {
      /** A record Kafka would reject (timestamp, size) is a production error of this record. */
      readonly limits: ResolvedRecordLimits;
      /** The task's wall-clock reading for the batch (or punctuation) in progress. */
      readonly now: () => number;
      /** A record this sink cannot send (serde, limits): the task applies the error policy. */
      readonly refused: Refused;
      /** Repartition topics under watermarks: the header value carrying the task's watermark. */
      readonly stamp?: (() => Buffer | undefined) | undefined;
    },
  ) {
    this.fixedTopic = typeof node.topic === 'function' ? undefined : resolveTopic(node.topic, applicationId);
  }

  process(record: AnyRecord): void {
    let topic: string | undefined = this.fixedTopic;
    let key: Buffer | null;
    let value: Buffer | null;
    try {
      topic ??= (this.node.topic as (k: unknown, v: unknown) => string)(record.key, record.value);
      key = this.node.keySerde.serialize(record.key, topic);
      value = this.node.valueSerde.serialize(record.value, topic);
    } catch (err) {
      const message = `cannot serialize for ${this.node.name}: ${(err as Error)?.message ?? err}`;
      this.opts.refused(new ProductionError(message, { cause: err }), topic ?? this.node.name);
      return;
    }
    const { timestamp, headers } = record;
    const out = { topic, key, value, timestamp, headers };
    const stamp = this.opts.stamp;
    // Checked here, per record: the broker would reject the whole batch, which stops the app. Room
    // for the stamp is counted before it is taken, since taking one moves the broadcaster's state.
    const why = unsendable(out, this.opts.now(), this.opts.limits, stamp ? WATERMARK_STAMP_BYTES : 0);
    if (why !== undefined) {
      this.opts.refused(new ProductionError(`cannot produce for ${this.node.name}: ${why}`), topic);
      return;
    }
    const watermark = stamp?.();
    this.collector.send(watermark ? { topic, key, value, timestamp, headers, watermark } : out);
  }
}

export class ExternalSinkProcessor implements Processor<unknown, unknown> {
  constructor(
    private readonly name: string,
    private readonly sink: SinkTask<unknown, unknown>,
    private readonly metadata: () => RecordMetadata | undefined,
    private readonly refused: Refused,
  ) {}

  process(record: AnyRecord): void {
    try {
      this.sink.write(record, this.metadata());
    } catch (err) {
      this.refused(new ProductionError((err as Error)?.message ?? String(err), { cause: err }), this.name);
    }
  }
}

/** Late records nobody routed: counted and logged (at most once a minute per node), never silent. */
export class UnroutedLateProcessor implements Processor<unknown, unknown> {
  count = 0;
  private lastLog = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly nodeName: string,
    private readonly logger: Logger,
    // The task's clock, so the once-a-minute log follows the same time as punctuators and tests.
    private readonly clock: Clock,
  ) {}

  process(record: AnyRecord): void {
    this.count += 1;
    const now = this.clock.now();
    if (now - this.lastLog >= 60_000) {
      this.lastLog = now;
      this.logger.warn('late records dropped (route them with lateRecords())', {
        node: this.nodeName,
        total: this.count,
        timestamp: record.timestamp,
      });
    }
  }
}
