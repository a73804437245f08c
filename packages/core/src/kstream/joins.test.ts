import { describe, expect, it } from 'vitest';
import { isTributaryError } from '../errors.js';
import { TopologyTestDriver } from '../testing/topology-test-driver.js';
import { StreamsBuilder } from './streams-builder.js';

describe('stream-table joins', () => {
  async function setup(left: boolean) {
    const b = new StreamsBuilder();
    const users = b.table<string, { name: string }>('users', { name: 'users' });
    const clicks = b.stream<string, { page: string }>('clicks');
    const joined = left
      ? clicks.leftJoin(users, (c, u) => `${u?.name ?? '?'}:${c.page}`)
      : clicks.join(users, (c, u) => `${u.name}:${c.page}`);
    joined.to('out');
    const topology = b.build();
    const driver = await TopologyTestDriver.create(topology);
    return { topology, driver };
  }

  it('inner join drops stream records without a table row; table updates do not emit', async () => {
    const { topology, driver } = await setup(false);
    expect(topology.subtopologies).toHaveLength(1);
    expect(topology.subtopologies[0]?.copartitioned.map((g) => g.map((t) => t.name).sort())).toEqual([
      ['clicks', 'users'],
    ]);
    const users = driver.createInputTopic<string, { name: string }>('users');
    const clicks = driver.createInputTopic<string, { page: string }>('clicks');
    await clicks.pipeInput('u1', { page: 'home' }); // miss
    await users.pipeInput('u1', { name: 'ann' });
    await clicks.pipeInput('u1', { page: 'cart' });
    await users.pipeInput('u1', { name: 'anna' });
    await clicks.pipeInput('u1', { page: 'pay' });
    expect(driver.createOutputTopic('out').readKeyValuesToList()).toEqual([
      { key: 'u1', value: 'ann:cart' },
      { key: 'u1', value: 'anna:pay' },
    ]);
  });

  it('left join keeps misses with an undefined table value', async () => {
    const { driver } = await setup(true);
    await driver.createInputTopic<string, { page: string }>('clicks').pipeInput('u9', { page: 'home' });
    expect(driver.createOutputTopic('out').readKeyValuesToList()).toEqual([{ key: 'u9', value: '?:home' }]);
  });

  it('joins a global table through a key mapper, without repartitioning', async () => {
    const b = new StreamsBuilder();
    const campaigns = b.globalTable<string, { network: number }>('campaigns', { name: 'campaigns' });
    const views = b.stream<string, { campaign: number }>('views');
    views
      .joinGlobal(
        campaigns,
        (_k, v) => String(v.campaign),
        (v, c) => ({ ...v, network: c.network }),
      )
      .to('inner');
    views
      .leftJoinGlobal(
        campaigns,
        (_k, v) => String(v.campaign),
        (v, c) => ({ ...v, network: c?.network ?? null }),
      )
      .to('left');
    const topology = b.build();
    expect(topology.repartitionTopics).toEqual([]);
    const driver = await TopologyTestDriver.create(topology);
    await driver.createInputTopic<string, { network: number }>('campaigns').pipeInput('7', { network: 3 });
    const input = driver.createInputTopic<string, { campaign: number }>('views');
    await input.pipeInput('v1', { campaign: 7 });
    await input.pipeInput('v2', { campaign: 8 });
    expect(driver.createOutputTopic('inner').readKeyValuesToList()).toEqual([
      { key: 'v1', value: { campaign: 7, network: 3 } },
    ]);
    expect(driver.createOutputTopic('left').readKeyValuesToList()).toEqual([
      { key: 'v1', value: { campaign: 7, network: 3 } },
      { key: 'v2', value: { campaign: 8, network: null } },
    ]);
  });

  it('a join after a key change needs a name (it names the repartition topic) and then repartitions', async () => {
    const b = new StreamsBuilder();
    const users = b.table<string, { name: string }>('users', { name: 'users' });
    const rekeyed = b.stream<string, { user: string }>('orders').selectKey((_k, v) => v.user);
    let err: unknown;
    try {
      rekeyed.join(users, (o, u) => ({ ...o, name: u.name }));
    } catch (e) {
      err = e;
    }
    expect(isTributaryError(err, 'TOPOLOGY_NAME_MISSING')).toBe(true);

    const b2 = new StreamsBuilder();
    const users2 = b2.table<string, { name: string }>('users', { name: 'users' });
    b2.stream<string, { user: string }>('orders')
      .selectKey((_k, v) => v.user)
      .join(users2, (o, u) => `${o.user}=${u.name}`, { name: 'orders-by-user' })
      .to('out');
    const topology = b2.build();
    expect(topology.repartitionTopics.map((t) => t.name)).toEqual(['orders-by-user']);
    const driver = await TopologyTestDriver.create(topology);
    await driver.createInputTopic<string, { name: string }>('users').pipeInput('u1', { name: 'ann' });
    await driver.createInputTopic<string, { user: string }>('orders').pipeInput('o1', { user: 'u1' });
    expect(driver.createOutputTopic('out').readValue()).toBe('u1=ann');
  });
});
