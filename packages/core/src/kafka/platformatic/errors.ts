import { TributaryError } from '../../errors.js';
import { chainStrings, errorChain } from '../error-chain.js';

/**
 * The protocol error names (`apiId`) anywhere in a @platformatic/kafka error chain (retries wrap
 * each attempt's error in a MultipleErrors); with `codes`, the client's error codes as well.
 */
export function protocolErrorIds(err: unknown, codes?: string[]): string[] {
  const chain = errorChain(err);
  codes?.push(...chainStrings(chain, 'code'));
  return chainStrings(chain, 'apiId');
}

const TRANSIENT_CODES = new Set(['PLT_KFK_NETWORK', 'PLT_KFK_TIMEOUT']);

const GROUP_LOST = new Set([
  'UNKNOWN_MEMBER_ID',
  'REBALANCE_IN_PROGRESS',
  'ILLEGAL_GENERATION',
  'FENCED_INSTANCE_ID',
  'STALE_MEMBER_EPOCH',
  'FENCED_MEMBER_EPOCH',
]);
const COORDINATOR_MOVED = new Set([
  'NOT_COORDINATOR',
  'COORDINATOR_NOT_AVAILABLE',
  'COORDINATOR_LOAD_IN_PROGRESS',
  'REQUEST_TIMED_OUT',
]);

/**
 * An OffsetCommit failure: TASK_MIGRATED when the member's generation is gone (the runtime closes
 * the tasks and waits for the new assignment), 'retry' when the coordinator moved or is loading or
 * the connection failed, the error itself otherwise.
 */
export function groupCommitError(err: unknown): TributaryError | 'retry' | unknown {
  const codes: string[] = [];
  const ids = protocolErrorIds(err, codes);
  const lost = ids.find((id) => GROUP_LOST.has(id));
  if (lost)
    return new TributaryError('TASK_MIGRATED', `offset commit rejected, the group rebalanced (${lost})`, {
      cause: err,
    });
  if (ids.some((id) => COORDINATOR_MOVED.has(id))) return 'retry';
  if (codes.some((c) => TRANSIENT_CODES.has(c))) return 'retry';
  return err;
}

/** Another instance joined with this member's group.instance.id: this one must stop. */
export function isFencedInstance(err: unknown): boolean {
  return protocolErrorIds(err).includes('FENCED_INSTANCE_ID');
}
