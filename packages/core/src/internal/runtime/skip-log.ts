import type { Clock } from '../../clock.js';
import type { Logger } from '../../logger.js';
import type { RecordMetadata } from '../../record.js';
import type { SkipReason } from '../processors/skipped-records.js';
import type { ErrorCounters } from './error-policy.js';

/**
 * Records an operator skipped by its own rules (Kafka Streams' null-key and null-value rules): each
 * is counted, and a line is logged at most once a minute per task, so a stream of null keys cannot
 * flood the log but is never silent either.
 */
export class SkipLog {
  private lastLog = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly counters: ErrorCounters,
    private readonly logger: Logger,
    private readonly clock: Clock,
    private readonly taskId: string,
  ) {}

  skipped(node: string, reason: SkipReason, current: RecordMetadata | undefined): void {
    if (reason === 'nullKey') this.counters.skippedNullKeys += 1;
    else this.counters.skippedNullValues += 1;
    const now = this.clock.now();
    if (now - this.lastLog < 60_000) return;
    this.lastLog = now;
    const { skippedNullKeys, skippedNullValues } = this.counters;
    this.logger.warn('records skipped for a null key or value', {
      task: this.taskId,
      node,
      reason,
      skippedNullKeys,
      skippedNullValues,
      ...(current ? { topic: current.topic, offset: current.offset.toString() } : {}),
    });
  }
}
