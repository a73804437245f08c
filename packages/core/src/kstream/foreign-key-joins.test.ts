import { describe, expect, it } from 'vitest';
import { responseSerde, valueHash } from '../internal/processors/fk-join-wire.js';
import { planInternalTopics } from '../internal/runtime/internal-topics.js';
import type { AdminPort } from '../kafka/ports.js';
import { Serdes } from '../serde/serdes.js';
import { InMemoryChangelog } from '../testing/in-memory-changelog.js';
import { TopologyTestDriver } from '../testing/topology-test-driver.js';
import { StreamsBuilder } from './streams-builder.js';

type Order = { customer: string | null; item: string };
const orderSerde = Serdes.json<Order>();
const show = (o: Order, c: string | undefined, id: string) => `${id}:${o.item}@${c ?? '-'}`;

function topology(kind: 'join' | 'leftJoin') {
  const b = new StreamsBuilder();
  const orders = b.table<string, Order>('orders', { valueSerde: orderSerde, name: 'orders' });
  const customers = b.table<string, string>('customers', { valueSerde: Serdes.string(), name: 'customers' });
  const joined =
    kind === 'join'
      ? orders.join(customers, (o) => o.customer, show, { name: 'fk' })
      : orders.leftJoin(customers, (o) => o.customer, show, { name: 'fk' });
  joined.toStream().to('out', { keySerde: Serdes.string(), valueSerde: Serdes.string() });
  return b.build();
}

async function drive(kind: 'join' | 'leftJoin', changelog?: InMemoryChangelog) {
  const driver = await TopologyTestDriver.create(topology(kind), changelog ? { changelog } : {});
  const orders = driver.createInputTopic<string | null, Order | null>('orders', Serdes.string(), orderSerde);
  const customers = driver.createInputTopic<string, string | null>(
    'customers',
    Serdes.string(),
    Serdes.string(),
  );
  const out = driver.createOutputTopic('out', Serdes.string(), Serdes.string());
  const read = () => out.readRecordsToList().map((r) => [r.key, r.value, r.timestamp]);
  return { driver, orders, customers, read };
}

const order = (customer: string | null, item: string): Order => ({ customer, item });

describe('foreign-key table joins', () => {
  it('inner join: follows foreign-key changes and right updates; results at the larger timestamp', async () => {
    const { driver, orders, customers, read } = await drive('join');
    await customers.pipeInput('c1', 'ann', 10);
    await customers.pipeInput('c2', 'bob', 20);
    await orders.pipeInput('o1', order('c1', 'pen'), 15);
    await orders.pipeInput('o2', order('c1', 'ink'), 5); // older than its customer row: stamped 10
    await customers.pipeInput('c1', 'anna', 30); // both subscribers, at the update's timestamp
    await orders.pipeInput('o1', order('c2', 'pen'), 40); // moves to c2
    await customers.pipeInput('c1', 'annie', 50); // reaches o2 only
    await orders.pipeInput('o2', order('c9', 'ink'), 60); // no such customer: retracted
    await customers.pipeInput('c2', null, 70); // retracts o1
    await orders.pipeInput('o3', order(null, 'cap'), 80); // null foreign key: skipped
    expect(read()).toEqual([
      ['o1', 'o1:pen@ann', 15],
      ['o2', 'o2:ink@ann', 10],
      ['o1', 'o1:pen@anna', 30],
      ['o2', 'o2:ink@anna', 30],
      ['o1', 'o1:pen@bob', 40],
      ['o2', 'o2:ink@annie', 50],
      ['o2', null, 60],
      ['o1', null, 70],
    ]);
    // The null foreign key is counted as a skipped null key, as Kafka Streams' dropped-records sensor.
    const { processingErrors, skippedNullKeys } = driver.errorCounters();
    expect({ processingErrors, skippedNullKeys }).toEqual({ processingErrors: 0, skippedNullKeys: 1 });
    await driver.close();
  });

  it('left join: every left row, with the right value or undefined; deletes on either side', async () => {
    const { driver, orders, customers, read } = await drive('leftJoin');
    await orders.pipeInput('o1', order('c1', 'pen'), 10);
    await customers.pipeInput('c1', 'ann', 20);
    await orders.pipeInput('o2', order(null, 'cap'), 30); // null foreign key: still a row
    await customers.pipeInput('c1', null, 40);
    await orders.pipeInput('o1', null, 50);
    await orders.pipeInput('o1', null, 60); // a delete of nothing: nothing
    expect(read()).toEqual([
      ['o1', 'o1:pen@-', 10],
      ['o1', 'o1:pen@ann', 20],
      ['o2', 'o2:cap@-', 30],
      ['o1', 'o1:pen@-', 40],
      ['o1', null, 50],
    ]);
    await driver.close();
  });

  it('drops a response for an older value of the left row (the hash check), applies the current one', async () => {
    const { driver, orders, customers, read } = await drive('join');
    await customers.pipeInput('c1', 'ann', 10);
    await orders.pipeInput('o1', order('c1', 'pen'), 20);
    await orders.pipeInput('o1', order('c1', 'ink'), 30);
    expect(read()).toEqual([
      ['o1', 'o1:pen@ann', 20],
      ['o1', 'o1:ink@ann', 30],
    ]);
    // Answers arriving late and out of order on the response topic, as after a foreign-key move.
    const responses = driver.createInputTopic(
      'test-app-fk-subscription-response-repartition',
      Serdes.bytes(),
      responseSerde(),
    );
    const answer = (o: Order, customer: string) => ({
      hash: valueHash(o, orderSerde, ''),
      foreignValue: Buffer.from(customer),
    });
    await responses.pipeInput(Buffer.from('o1'), answer(order('c1', 'pen'), 'stale'), 35);
    expect(read()).toEqual([]);
    await responses.pipeInput(Buffer.from('o1'), answer(order('c1', 'ink'), 'fresh'), 36);
    expect(read()).toEqual([['o1', 'o1:ink@fresh', 36]]);
    await driver.close();
  });

  it('restores subscriptions and right-row timestamps from the changelog', async () => {
    const changelog = new InMemoryChangelog();
    const first = await drive('join', changelog);
    await first.customers.pipeInput('c1', 'ann', 500);
    await first.orders.pipeInput('o1', order('c1', 'pen'), 100);
    expect(first.read()).toEqual([['o1', 'o1:pen@ann', 500]]);
    await first.driver.commit();
    await first.driver.close();

    const second = await drive('join', changelog);
    await second.customers.pipeInput('c1', 'anna', 600); // reaches the restored subscription
    await second.orders.pipeInput('o2', order('c1', 'ink'), 200); // the restored right row is newer
    expect(second.read()).toEqual([
      ['o1', 'o1:pen@anna', 600],
      ['o2', 'o2:ink@anna', 600],
    ]);
    await second.driver.close();
  });

  it('the joined table is materialized: a downstream aggregation subtracts retracted rows', async () => {
    const b = new StreamsBuilder();
    const orders = b.table<string, Order>('orders', { valueSerde: orderSerde, name: 'orders' });
    const customers = b.table<string, string>('customers', {
      valueSerde: Serdes.string(),
      name: 'customers',
    });
    orders
      .join(
        customers,
        (o) => o.customer,
        (_o, c) => c,
        { name: 'fk', valueSerde: Serdes.string() },
      )
      .groupBy((_k, c) => ({ key: c, value: 1 }), { keySerde: Serdes.string() })
      .count({ name: 'per-customer' })
      .toStream()
      .to('out', { keySerde: Serdes.string(), valueSerde: Serdes.json<number>() });
    const driver = await TopologyTestDriver.create(b.build());
    const o = driver.createInputTopic<string, Order | null>('orders', Serdes.string(), orderSerde);
    const c = driver.createInputTopic<string, string>('customers', Serdes.string(), Serdes.string());
    await c.pipeInput('c1', 'ann', 1);
    await c.pipeInput('c2', 'bob', 2);
    await o.pipeInput('o1', order('c1', 'pen'), 3);
    await o.pipeInput('o2', order('c1', 'ink'), 4);
    await o.pipeInput('o1', order('c2', 'pen'), 5);
    await o.pipeInput('o2', null, 6);
    const out = driver.createOutputTopic('out', Serdes.string(), Serdes.json<number>());
    expect(out.readRecordsToList().map((r) => [r.key, r.value, r.timestamp])).toEqual([
      ['ann', 1, 3],
      ['ann', 2, 4],
      ['ann', 1, 5],
      ['bob', 1, 5],
      ['ann', 0, 6],
    ]);
    await driver.close();
  });

  it('describe(): two sub-topologies joined by the subscription and response topics, each co-partitioned', async () => {
    const t = topology('leftJoin');
    const text = t.describe().toString();
    expect(text).toContain('(topic: <app>-fk-subscription-registration-repartition)');
    expect(text).toContain('(topic: <app>-fk-subscription-response-repartition)');
    expect(text).toContain('stores: [fk-subscription-store, fk-foreign-timestamps, customers]');
    expect(t.subtopologies).toHaveLength(2);
    const admin = { partitionCounts: async () => new Map(Object.entries({ orders: 3, customers: 2 })) };
    const plan = await planInternalTopics(t, 'app', admin as unknown as AdminPort, {
      replicationFactor: 1,
      dlqTopics: [],
    });
    const partitions = (name: string) => plan.toCreate.find((x) => x.name === name)?.partitions;
    // Subscriptions are partitioned like the right table, responses like the left one.
    expect(partitions('app-fk-subscription-registration-repartition')).toBe(2);
    expect(partitions('app-fk-subscription-response-repartition')).toBe(3);
    expect(partitions('app-fk-output-changelog')).toBe(3);
    expect(partitions('app-fk-subscription-store-changelog')).toBe(2);
  });

  it('needs a name for its durable topics and stores', () => {
    const b = new StreamsBuilder();
    const l = b.table<string, Order>('orders', { name: 'orders' });
    const r = b.table<string, string>('customers', { name: 'customers' });
    expect(() => l.join(r, (o) => o.customer, show, {} as { name: string })).toThrow(
      /needs an explicit name/,
    );
  });
});
