import { type LogEntry, type logCreator, logLevel } from 'kafkajs';
import { errorMessage, isTributaryError, TributaryError } from '../errors.js';
import type { Logger, LogLevel } from '../logger.js';
import { chainStrings, errorChain } from './error-chain.js';

const GROUP_LOST = new Set([
  'UNKNOWN_MEMBER_ID',
  'REBALANCE_IN_PROGRESS',
  'ILLEGAL_GENERATION',
  'FENCED_INSTANCE_ID',
]);
const FENCED = new Set(['PRODUCER_FENCED', 'INVALID_PRODUCER_EPOCH', 'INVALID_TXN_STATE']);

/** kafkajs wraps protocol errors (retries exceeded, non-retriable); the protocol type is inside. */
function protocolType(err: unknown): string {
  return chainStrings(errorChain(err), 'type').find((t) => t !== '') ?? '';
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

/**
 * Plain (idempotent, not transactional) sends: kafkajs has already retried what it could, so a
 * failure is final for these records: PRODUCTION_FAILED, keeping our own errors as they are.
 */
export async function mapSendErrors<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (isTributaryError(err)) throw err;
    throw new TributaryError('PRODUCTION_FAILED', `send failed: ${errorMessage(err)}`, { cause: err });
  }
}

/** From this many attempts on, a retry still failing is worth a warning (about a second of backoff). */
const PERSISTENT_RETRY = 3;

/**
 * The level of a kafkajs log entry in our log. kafkajs logs at error both an attempt it is about to
 * retry and a failure it then hands back to its caller; a failure handed back reaches our code as a
 * thrown error, and the runtime logs it at error when it gives up. So, for kafkajs' own entries:
 * - one failed request (`Response <Api>` from a connection; the caller retries it or passes the error
 *   up) and a retry in progress (`retryCount` below PERSISTENT_RETRY): debug;
 * - a retry still failing, and trouble the client handles itself (lost connection, consumer crash and
 *   restart, rejoin, offset reset): warn;
 * - error only when one of our listeners threw: nothing retries that, and the event is lost.
 */
export function kafkajsLogLevel(entry: Pick<LogEntry, 'level' | 'namespace' | 'log'>): LogLevel {
  const message = String(entry.log.message);
  const retryCount = (entry.log as { retryCount?: unknown }).retryCount;
  const retrying = typeof retryCount === 'number' && retryCount < PERSISTENT_RETRY;
  if (entry.level === logLevel.ERROR) {
    if (message.startsWith('Failed to execute listener')) return 'error';
    if (entry.namespace === 'Connection' && message.startsWith('Response ')) return 'debug';
    return retrying ? 'debug' : 'warn';
  }
  if (entry.level === logLevel.WARN) {
    // Bounded retries are our choice (a send must fail rather than hang); kafkajs warns at every
    // idempotent producer start about it.
    if (message.startsWith('Limiting retries for the idempotent producer')) return 'debug';
    return retrying ? 'debug' : 'warn';
  }
  return 'debug';
}

/** kafkajs log entries into our Logger, at the level of kafkajsLogLevel. */
export function kafkajsLogger(logger: Logger): logCreator {
  return () => (entry) => {
    const { message, ...rest } = entry.log;
    logger[kafkajsLogLevel(entry)](String(message), { kafkajs: entry.namespace, ...rest });
  };
}
