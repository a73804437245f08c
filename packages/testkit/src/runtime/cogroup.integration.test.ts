import { Serdes, StreamsBuilder, Tributary } from '@tributary/core';
import { levelDbBackend } from '@tributary/state';
import { describe, expect, it } from 'vitest';
import { bootstrapServers, consumeAll, createTopics, produceAll, uniqueName } from '../index.js';
import { closedAfterEach, eventually, tempDir, testLogger, valuesByKey } from './helpers.js';

const USERS = 12;

describe('cogroup on the real broker', () => {
  const apps = closedAfterEach();

  it('cogroups a keyed stream and a re-keyed one (its own repartition topic) into one exact total per key', async () => {
    const clicks = uniqueName('cg-clicks');
    const orders = uniqueName('cg-orders');
    const output = uniqueName('cg-out');
    const applicationId = uniqueName('cg-app');
    await createTopics([
      { name: clicks, partitions: 3 },
      { name: orders, partitions: 2 },
      { name: output, partitions: 3 },
    ]);
    // Clicks are keyed by user; orders are keyed by order id and carry the user in the value.
    const truth = new Map<string, { clicks: number; spent: number }>();
    const total = (u: string) => truth.get(u) ?? { clicks: 0, spent: 0 };
    const clickRecords = Array.from({ length: 600 }, (_, i) => {
      const user = `u${(i * 7) % USERS}`;
      truth.set(user, { ...total(user), clicks: total(user).clicks + 1 });
      return { key: user, value: 'page' };
    });
    const orderRecords = Array.from({ length: 300 }, (_, i) => {
      const user = `u${(i * 5) % USERS}`;
      truth.set(user, { ...total(user), spent: total(user).spent + (i % 9) + 1 });
      return { key: `order-${i}`, value: JSON.stringify({ user, amount: (i % 9) + 1 }) };
    });
    await produceAll(clicks, clickRecords);
    await produceAll(orders, orderRecords);

    const b = new StreamsBuilder();
    const byUser = b.stream<string, string>(clicks, { valueSerde: Serdes.string() }).groupByKey();
    const ordersByUser = b
      .stream<string, { user: string; amount: number }>(orders)
      .selectKey((_k, o) => o.user)
      .groupByKey({ keySerde: Serdes.string() });
    byUser
      .cogroup<{ clicks: number; spent: number }>((_k, _v, t) => ({ ...t, clicks: t.clicks + 1 }))
      .cogroup(ordersByUser, (_k, o, t) => ({ ...t, spent: t.spent + o.amount }))
      .aggregate(() => ({ clicks: 0, spent: 0 }), { name: 'totals' })
      .toStream()
      .to(output, { keySerde: Serdes.string(), valueSerde: Serdes.json() });
    const app = new Tributary(b.build(), {
      applicationId,
      bootstrapServers: bootstrapServers(),
      stateBackend: levelDbBackend({ stateDir: await tempDir('cg-state') }),
      commitIntervalMs: 200,
      logger: testLogger(),
    });
    apps.push(app);
    await app.start();
    // The orders arrive through a repartition topic: wait for the output, not for one input's offsets.
    const sorted = (o: Record<string, unknown>) => JSON.stringify(Object.entries(o).sort());
    const expected = Object.fromEntries(truth);
    let got: Record<string, unknown[]> = {};
    const last = () => Object.fromEntries(Object.entries(got).map(([k, v]) => [k, v.at(-1)]));
    await eventually(
      async () => {
        got = valuesByKey(await consumeAll(output, { idleMs: 1500, timeoutMs: 20_000 }));
        return sorted(last()) === sorted(expected);
      },
      90_000,
      1000,
    );
    await app.close();
    // Every input record made exactly one update; the last one per user is the total.
    expect(Object.values(got).reduce((n, v) => n + v.length, 0)).toBe(900);
    expect(last()).toEqual(expected);
  });
});
