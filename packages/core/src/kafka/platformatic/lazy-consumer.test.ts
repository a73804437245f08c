import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../logger.js';
import { LazyPlatformaticConsumer } from './lazy-consumer.js';

const consumer = () =>
  new LazyPlatformaticConsumer(
    { clientId: 't', bootstrapBrokers: ['127.0.0.1:1'] },
    { groupId: 'g', readCommitted: true, sessionTimeoutMs: 10_000 },
    silentLogger,
  );

describe('LazyPlatformaticConsumer', () => {
  it('knows its group before connecting, and refuses use before connect() with ILLEGAL_STATE', async () => {
    const c = consumer();
    expect(c.groupId).toBe('g');
    await expect(c.subscribe(['t'])).rejects.toMatchObject({ code: 'ILLEGAL_STATE' });
    expect(() => c.seek([{ topic: 't', partition: 0, offset: 0n }])).toThrow(/before connect/);
  });

  it('disconnect() before connect() is a no-op', async () => {
    await expect(consumer().disconnect()).resolves.toBeUndefined();
  });
});
