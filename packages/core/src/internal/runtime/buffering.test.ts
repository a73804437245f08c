import { describe, expect, it } from 'vitest';
import { isTributaryError } from '../../errors.js';
import { type Buffering, DEFAULT_BUFFERING, resolveBuffering } from './buffering.js';

const MiB = 1024 * 1024;

/** The message of the CONFIG_INVALID error `buffering` is rejected with, or what happened instead. */
function rejectionOf(buffering: unknown): string {
  try {
    resolveBuffering(buffering as Buffering);
    return 'accepted';
  } catch (e) {
    return isTributaryError(e, 'CONFIG_INVALID') ? e.message : `untyped: ${String(e)}`;
  }
}

describe('buffering settings', () => {
  it('default to the bounds the runtime had as constants, so behaviour and benchmarks stay the same', () => {
    expect(DEFAULT_BUFFERING).toEqual({
      maxBufferedRecords: 20_000,
      maxBufferedBytes: 16 * MiB,
      hardCapRecords: 80_000,
      hardCapBytes: 64 * MiB,
      maxBufferDelayMs: 200,
      outputFlushMs: 200,
      outputFlushRecords: 10_000,
      maxRunRecords: 1000,
    });
    expect(resolveBuffering(undefined)).toEqual(DEFAULT_BUFFERING);
    expect(resolveBuffering({})).toEqual(DEFAULT_BUFFERING);
    expect(resolveBuffering({ maxRunRecords: undefined } as unknown as Buffering)).toEqual(DEFAULT_BUFFERING);
  });

  it('an unset hard cap follows its soft bound (4x); a set one is kept', () => {
    expect(resolveBuffering({ maxBufferedRecords: 100_000, maxBufferedBytes: 32 * MiB })).toMatchObject({
      maxBufferedRecords: 100_000,
      hardCapRecords: 400_000,
      maxBufferedBytes: 32 * MiB,
      hardCapBytes: 128 * MiB,
    });
    expect(resolveBuffering({ maxBufferedRecords: 10, hardCapRecords: 10 })).toMatchObject({
      maxBufferedRecords: 10,
      hardCapRecords: 10,
    });
    expect(resolveBuffering({ hardCapBytes: 20 * MiB }).hardCapBytes).toBe(20 * MiB);
  });

  it('rejects values that are not safe integers >= 1, and unknown keys, with CONFIG_INVALID', () => {
    for (const name of Object.keys(DEFAULT_BUFFERING)) {
      for (const bad of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53, '1000', null])
        expect(rejectionOf({ [name]: bad }), `${name}: ${String(bad)}`).toMatch(
          new RegExp(`^buffering\\.${name} must be an integer >= 1, got `),
        );
    }
    expect(rejectionOf({ maxBuffered: 1000 })).toMatch(
      /^buffering\.maxBuffered is not a buffering setting \(known: maxBufferedRecords, /,
    );
    for (const bad of [5, 'big', [], null])
      expect(rejectionOf(bad), String(bad)).toMatch(/^buffering must be an object, got /);
  });

  it('rejects a hard cap below its soft bound, also when one of them is the default', () => {
    expect(rejectionOf({ maxBufferedRecords: 1000, hardCapRecords: 999 })).toBe(
      'buffering.hardCapRecords (999) must be at least maxBufferedRecords (1000)',
    );
    expect(rejectionOf({ hardCapRecords: 10_000 })).toBe(
      'buffering.hardCapRecords (10000) must be at least maxBufferedRecords (20000)',
    );
    expect(rejectionOf({ maxBufferedRecords: 100_000, hardCapRecords: 80_000 })).toMatch(/hardCapRecords/);
    expect(rejectionOf({ maxBufferedBytes: 2 * MiB, hardCapBytes: MiB })).toBe(
      `buffering.hardCapBytes (${MiB}) must be at least maxBufferedBytes (${2 * MiB})`,
    );
    expect(rejectionOf({ hardCapBytes: MiB })).toMatch(/hardCapBytes .* must be at least maxBufferedBytes/);
  });
});
