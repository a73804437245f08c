import { DLQ_HEADERS, Serdes } from '@tributary/core';
import { TopologyTestDriver } from '@tributary/core/testing';
import { describe, expect, it } from 'vitest';
import { buildCampaignNetworksTopology, networksDeadLetterTopic, parseNetworks } from './networks.js';

const campaign = (id: number, network: number, name = `C${id}`) =>
  JSON.stringify({ network_id: network, campaign_id: id, campaign_name: name });
const network = (id: number, name: string) => JSON.stringify({ network_id: id, network_name: name });

async function driverFor() {
  const topology = buildCampaignNetworksTopology({ networksTopic: 'networks' });
  const driver = await TopologyTestDriver.create(topology, {
    errorPolicy: { mode: 'dead-letter', topic: networksDeadLetterTopic },
  });
  const s = Serdes.string();
  const out = driver.createOutputTopic('campaign-networks', s, s);
  return {
    driver,
    campaigns: driver.createInputTopic<string, string | null>('campaigns', s, s),
    networks: driver.createInputTopic<string, string | null>('networks', s, s),
    /** What reached the output since the last call: key, parsed value (null: tombstone), timestamp. */
    changes: () =>
      out.readRecordsToList().map((r) => [r.key, r.value === null ? null : JSON.parse(r.value), r.timestamp]),
  };
}

const row = (id: number, networkId: number, networkName: string | null) => ({
  campaign_id: id,
  campaign_name: `C${id}`,
  network_id: networkId,
  network_name: networkName,
});

describe('campaign-networks: campaigns leftJoin networks on the foreign key network_id', () => {
  it('follows updates, foreign-key changes and deletes on both sides', async () => {
    const { campaigns, networks, changes } = await driverFor();
    await networks.pipeInput('3', network(3, 'Harbor'), 100);
    expect(changes()).toEqual([]); // a network nobody refers to: nothing
    await campaigns.pipeInput('7', campaign(7, 3), 200);
    await campaigns.pipeInput('8', campaign(8, 3), 205);
    await campaigns.pipeInput('9', campaign(9, 4), 210); // network 4 unknown yet: left join, null name
    expect(changes()).toEqual([
      ['7', row(7, 3, 'Harbor'), 200],
      ['8', row(8, 3, 'Harbor'), 205],
      ['9', row(9, 4, null), 210],
    ]);
    await networks.pipeInput('4', network(4, 'Sierra'), 300);
    await networks.pipeInput('3', network(3, 'Harbor Search'), 400); // both of its campaigns change
    expect(changes()).toEqual([
      ['9', row(9, 4, 'Sierra'), 300],
      ['7', row(7, 3, 'Harbor Search'), 400],
      ['8', row(8, 3, 'Harbor Search'), 400],
    ]);
    await campaigns.pipeInput('7', campaign(7, 4), 500); // moved: takes the other network's name
    await networks.pipeInput('3', network(3, 'Harbor Again'), 550); // 7 left network 3: only 8 changes
    await networks.pipeInput('4', null, 600); // deleted: its campaigns keep their row, without a name
    await campaigns.pipeInput('9', null, 700); // a deleted campaign: a tombstone
    await campaigns.pipeInput('9', null, 710); // and nothing for a campaign already gone
    expect(changes()).toEqual([
      ['7', row(7, 4, 'Sierra'), 500],
      ['8', row(8, 3, 'Harbor Again'), 550],
      ['7', row(7, 4, null), 600],
      ['9', row(9, 4, null), 600],
      ['9', null, 700],
    ]);
  });

  it('sends a malformed network to the networks DLQ and keeps going', async () => {
    const { driver, campaigns, networks, changes } = await driverFor();
    await networks.pipeInput('5', '{"network_id": 5, "network_name": ', 100);
    await networks.pipeInput('5', network(5, 'Lantern'), 110);
    await campaigns.pipeInput('1', campaign(1, 5), 120);
    expect(changes()).toEqual([['1', row(1, 5, 'Lantern'), 120]]);
    const dlq = driver
      .createOutputTopic('networks-dlq', Serdes.string(), Serdes.string())
      .readRecordsToList();
    expect(dlq.map((r) => [r.value, r.headers[DLQ_HEADERS.topic]?.toString()])).toEqual([
      ['{"network_id": 5, "network_name": ', 'networks'],
    ]);
  });

  it('reads the networks CSV', () => {
    expect(parseNetworks('network_id,network_name\n1,"Northwind, Display"\n2,Bluebird\n')).toEqual([
      { network_id: 1, network_name: 'Northwind, Display' },
      { network_id: 2, network_name: 'Bluebird' },
    ]);
    expect(() => parseNetworks('network_id,name\n1,x\n')).toThrow(/expected header/);
    expect(() => parseNetworks('network_id,network_name\nx,y\n')).toThrow(/line 2/);
  });
});
