import { type logCreator, logLevel } from 'kafkajs';
import { errorMessage, isTributaryError, TributaryError } from '../errors.js';
import type { Logger } from '../logger.js';

const GROUP_LOST = new Set([
  'UNKNOWN_MEMBER_ID',
  'REBALANCE_IN_PROGRESS',
  'ILLEGAL_GENERATION',
  'FENCED_INSTANCE_ID',
]);
const FENCED = new Set(['PRODUCER_FENCED', 'INVALID_PRODUCER_EPOCH', 'INVALID_TXN_STATE']);

/** kafkajs wraps protocol errors (retries exceeded, non-retriable); the protocol type is inside. */
function protocolType(err: unknown): string {
  let e = err as { type?: string; originalError?: unknown; cause?: unknown } | undefined;
  for (let depth = 0; e && depth < 5; depth++) {
    if (e.type) return e.type;
    e = (e.originalError ?? e.cause) as typeof e;
  }
  return '';
}

/** Turns "this member no longer owns its partitions" into typed errors the runtime recovers from. */
function groupError(err: unknown): unknown {
  const type = protocolType(err);
  if (GROUP_LOST.has(type)) {
    return new TributaryError('TASK_MIGRATED', `offset commit rejected, the group rebalanced (${type})`, {
      cause: err,
    });
  }
  if (FENCED.has(type)) {
    return new TributaryError(
      'TASK_MIGRATED',
      `producer fenced: another instance owns the task now (${type})`,
      {
        cause: err,
      },
    );
  }
  return err;
}

/** Consumer group calls (offset commits): a lost generation becomes TASK_MIGRATED. */
export async function mapGroupErrors<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw groupError(err);
  }
}

/**
 * Transactional calls: fencing means another instance owns the task (TASK_MIGRATED). Any other
 * failure (kafkajs does not retry EndTxn when the coordinator's connection closes, for one) leaves
 * the transaction in an unknown state: TASK_CORRUPTED, and the runtime rebuilds the task from the
 * last commit, as Kafka Streams does with TaskCorruptedException.
 */
export async function mapTransactionErrors<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    const mapped = groupError(err);
    if (isTributaryError(mapped, 'TASK_MIGRATED')) throw mapped;
    throw new TributaryError('TASK_CORRUPTED', `transaction failed: ${errorMessage(err)}`, { cause: err });
  }
}

export function kafkajsLogger(logger: Logger): logCreator {
  return () => (entry) => {
    const { message, ...rest } = entry.log;
    const fields = { kafkajs: entry.namespace, ...rest };
    // kafkajs warns at every idempotent producer start because retries are bounded; that is our
    // choice (a send must fail rather than hang), so it is not worth a warning each time.
    if (String(message).startsWith('Limiting retries for the idempotent producer')) {
      logger.debug(String(message), fields);
      return;
    }
    if (entry.level === logLevel.ERROR) logger.error(String(message), fields);
    else if (entry.level === logLevel.WARN) logger.warn(String(message), fields);
    else logger.debug(String(message), fields);
  };
}
