import { TributaryError } from '../errors.js';
import { errorChain } from './error-chain.js';

export interface LookupRetryOptions {
  /** Give up after this long (default 60 s: longer than a leader election after a broker loss). */
  readonly timeoutMs?: number;
  readonly initialBackoffMs?: number;
  readonly maxBackoffMs?: number;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly now?: () => number;
}

/**
 * kafkajs marks errors a retry can cure (`retriable`), also on the error a wrapper carries inside.
 * A TributaryError anywhere in the chain makes it final: typed errors are decisions (a security
 * failure, a lookup that already gave up), never retried, whatever their cause says.
 */
export function isRetriableKafkaError(err: unknown): boolean {
  const chain = errorChain(err);
  if (chain.some((e) => e instanceof TributaryError)) return false;
  return chain.some((e) => e.retriable === true);
}

/**
 * Runs a read-only metadata lookup (end offsets, committed offsets, partition metadata), or another
 * call that is safe to repeat (a producer's connect), again while it fails with a retriable error. kafkajs' admin gives up on some of them at once: a ListOffsets
 * during the leader election after a broker loss answered LEADER_NOT_AVAILABLE, which reached the
 * runtime as a fatal error and stopped an instance in the broker-failover test.
 */
export async function retryLookup<T>(
  what: string,
  fn: () => Promise<T>,
  o: LookupRetryOptions = {},
): Promise<T> {
  const now = o.now ?? Date.now;
  const sleep = o.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const deadline = now() + (o.timeoutMs ?? 60_000);
  let backoff = o.initialBackoffMs ?? 200;
  for (;;) {
    try {
      return await fn();
    } catch (err) {
      if (!isRetriableKafkaError(err)) throw err;
      if (now() + backoff > deadline) {
        throw new TributaryError('KAFKA_ERROR', `${what} kept failing with retriable errors`, { cause: err });
      }
      await sleep(backoff);
      backoff = Math.min(backoff * 2, o.maxBackoffMs ?? 2000);
    }
  }
}
