import { TributaryError } from '../errors.js';

/**
 * Checks a window duration (size, gap, time difference, grace): a safe integer of milliseconds, at
 * least 1 when `positive`, else at least 0. Anything else is a CONFIG_INVALID error naming `what`.
 */
export function requireWindowMs(what: string, ms: number, { positive }: { positive: boolean }): number {
  if (!Number.isSafeInteger(ms) || ms < (positive ? 1 : 0)) {
    throw new TributaryError(
      'CONFIG_INVALID',
      `${what} must be a ${positive ? 'positive' : 'non-negative'} integer of ms, got ${ms}`,
    );
  }
  return ms;
}
