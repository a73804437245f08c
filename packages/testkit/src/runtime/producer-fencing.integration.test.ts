import { kafkajsPort, TributaryError } from '@tributary/core';
import { describe, expect, it } from 'vitest';
import { bootstrapServers, consumeAll, createTopics, uniqueName } from '../index.js';
import { testLogger } from './helpers.js';

// A task's new owner connects its transactional producer, then reads the committed offsets and the
// changelog end. That read is only safe if connecting fenced the previous owner: otherwise the old
// owner can still commit a transaction after the read, and the new owner processes the same records
// again (the over-count the broker-failover test showed after a rebalance). kafkajs fences lazily, at
// the first transaction; the port's connect() must fence at once.
describe('transactional producer port', () => {
  it('connect() fences the previous producer of the same transactional id before any transaction', async () => {
    const topic = uniqueName('fencing');
    await createTopics([{ name: topic, partitions: 1 }]);
    const port = kafkajsPort({
      bootstrapServers: bootstrapServers(),
      clientId: 'fencing',
      logger: testLogger(),
    });
    const transactionalId = uniqueName('fencing-txn');
    const record = (value: string) => [
      {
        topic,
        partition: 0,
        key: Buffer.from('k'),
        value: Buffer.from(value),
        timestamp: Date.now(),
        headers: {},
      },
    ];
    const old = port.producer({ transactionalId });
    await old.connect();
    const txn = await old.beginTransaction();
    await txn.send(record('old'));

    const successor = port.producer({ transactionalId });
    await successor.connect();
    // From here the old owner must not be able to commit anything.
    const outcome = await txn.commit().then(
      () => 'committed',
      (err: unknown) => (err instanceof TributaryError ? err.code : String(err)),
    );
    expect(outcome).toBe('TASK_MIGRATED');

    const later = await successor.beginTransaction();
    await later.send(record('new'));
    await later.commit();
    const seen = await consumeAll(topic, { count: 1, idleMs: 1500, timeoutMs: 15_000, readCommitted: true });
    expect(seen.map((r) => r.value?.toString())).toEqual(['new']);
    await Promise.all([old.disconnect().catch(() => {}), successor.disconnect()]);
  }, 60_000);
});
