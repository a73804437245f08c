import { describe, expect, it } from 'vitest';
import { isTributaryError, TributaryError } from '../errors.js';
import { isRetriableKafkaError, retryLookup } from './kafkajs-lookup-retry.js';

const leaderElection = () =>
  Object.assign(new Error('There is no leader for this topic-partition'), {
    type: 'LEADER_NOT_AVAILABLE',
    retriable: true,
  });

function fakeClock() {
  let t = 0;
  return {
    now: () => t,
    sleep: async (ms: number) => {
      t += ms;
    },
  };
}

describe('retryLookup', () => {
  it('retries retriable failures until the lookup answers', async () => {
    let calls = 0;
    const result = await retryLookup(
      'end offsets',
      async () => {
        calls++;
        if (calls < 4) throw leaderElection();
        return 42;
      },
      fakeClock(),
    );
    expect({ result, calls }).toEqual({ result: 42, calls: 4 });
  });

  it('sees retriable errors wrapped by kafkajs (retries exceeded)', () => {
    const wrapped = Object.assign(new Error('retries exceeded'), {
      retriable: false,
      originalError: leaderElection(),
    });
    expect(isRetriableKafkaError(wrapped)).toBe(true);
    expect(isRetriableKafkaError(new Error('plain'))).toBe(false);
  });

  it('never retries a TributaryError, even one that wraps a retriable cause', async () => {
    let calls = 0;
    const typed = new TributaryError('KAFKA_AUTH_FAILED', 'SASL rejected', { cause: leaderElection() });
    await expect(
      retryLookup(
        'end offsets',
        async () => {
          calls++;
          throw typed;
        },
        fakeClock(),
      ),
    ).rejects.toBe(typed);
    expect(calls).toBe(1);
    const insideKafkajs = Object.assign(new Error('wrapped'), { retriable: true, originalError: typed });
    expect(isRetriableKafkaError(insideKafkajs)).toBe(false);
  });

  it('hands back a non-retriable error at once', async () => {
    let calls = 0;
    const denied = Object.assign(new Error('denied'), {
      type: 'TOPIC_AUTHORIZATION_FAILED',
      retriable: false,
    });
    await expect(
      retryLookup(
        'end offsets',
        async () => {
          calls++;
          throw denied;
        },
        fakeClock(),
      ),
    ).rejects.toBe(denied);
    expect(calls).toBe(1);
  });

  it('gives up with a typed error after the timeout, keeping the last cause', async () => {
    const clock = fakeClock();
    let calls = 0;
    const err = await retryLookup(
      'end offsets',
      async () => {
        calls++;
        throw leaderElection();
      },
      { ...clock, timeoutMs: 5_000 },
    ).catch((e: unknown) => e);
    expect(isTributaryError(err, 'KAFKA_ERROR')).toBe(true);
    expect((err as Error).cause).toMatchObject({ type: 'LEADER_NOT_AVAILABLE' });
    expect(calls).toBeGreaterThan(3);
    expect(clock.now()).toBeLessThanOrEqual(5_000);
  });
});
