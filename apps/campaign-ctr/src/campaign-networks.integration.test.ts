import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type Campaign,
  DEFAULT_CAMPAIGNS_CSV,
  loadCampaigns,
  readCampaigns,
} from '@tributary/app-campaign-views';
import { DLQ_HEADERS, silentLogger, type Tributary } from '@tributary/core';
import {
  bootstrapServers,
  type ConsumedRecord,
  eventually,
  latestByKey,
  produceAll,
  testKafka,
  uniqueName,
} from '@tributary/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { createCampaignNetworksApp } from './app.js';
import { DEFAULT_NETWORKS_CSV, loadNetworks, type Network, readNetworks } from './networks.js';
import { ensureCtrTopics } from './topics.js';

/** Follows a topic from the beginning for the whole test (one group join, not one per check). */
async function tail(topic: string) {
  const consumer = testKafka().consumer({ groupId: uniqueName('cn-tail'), sessionTimeout: 10_000 });
  const records: ConsumedRecord[] = [];
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ topic: t, partition, message: m }) => {
      records.push({ ...m, topic: t, partition, headers: m.headers ?? {} } as ConsumedRecord);
    },
  });
  return { records, stop: () => consumer.disconnect() };
}

describe('campaign-networks (foreign-key join) end to end on the real broker', () => {
  const cleanup: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const c of cleanup.reverse()) await c().catch(() => {});
  });

  it('keeps every campaign joined with its network through renames, moves and deletes on both sides, across a restore from the changelogs', async () => {
    const servers = bootstrapServers();
    const campaignsTopic = uniqueName('campaigns');
    const networksTopic = uniqueName('networks');
    const outputTopic = uniqueName('campaign-networks');
    await ensureCtrTopics({
      bootstrapServers: servers,
      viewTopic: uniqueName('view_log'),
      clickTopic: uniqueName('click_log'),
      campaignsTopic,
      lateTopic: uniqueName('ctr-late'),
      partitions: 3,
      networks: { topic: networksTopic, outputTopic },
    });

    // The input tables as the test changes them, and the join computed from them alone.
    const campaigns = new Map<number, Campaign>(
      (await readCampaigns(DEFAULT_CAMPAIGNS_CSV)).map((c) => [c.campaign_id, c]),
    );
    const networks = new Map<number, Network>(
      (await readNetworks(DEFAULT_NETWORKS_CSV)).map((n) => [n.network_id, n]),
    );
    networks.delete(10); // network 10's campaigns start without a name
    const truth = () =>
      new Map(
        [...campaigns.values()].map((c) => [
          String(c.campaign_id),
          // In the output's field order: the check compares JSON texts.
          {
            campaign_id: c.campaign_id,
            campaign_name: c.campaign_name,
            network_id: c.network_id,
            network_name: networks.get(c.network_id)?.network_name ?? null,
          },
        ]),
      );
    const upsertCampaigns = async (list: Campaign[]) => {
      for (const c of list) campaigns.set(c.campaign_id, c);
      await loadCampaigns({ bootstrapServers: servers, topic: campaignsTopic, campaigns: list });
    };
    const deleteCampaigns = async (ids: number[]) => {
      for (const id of ids) campaigns.delete(id);
      await produceAll(
        campaignsTopic,
        ids.map((id) => ({ key: String(id), value: null })),
      );
    };
    const putNetworks = async (list: (Network | { network_id: number; delete: true })[]) => {
      for (const n of list) {
        if ('delete' in n) networks.delete(n.network_id);
        else networks.set(n.network_id, n);
      }
      await loadNetworks({ bootstrapServers: servers, topic: networksTopic, networks: list });
    };

    await upsertCampaigns([...campaigns.values()]);
    await putNetworks([...networks.values()]);
    const out = await tail(outputTopic);
    cleanup.push(out.stop);
    const applicationId = uniqueName('cn-app');
    const start = async (name: string): Promise<Tributary> => {
      const app = createCampaignNetworksApp({
        bootstrapServers: servers,
        applicationId,
        campaignsTopic,
        networksTopic,
        outputTopic,
        stateDir: await mkdtemp(join(tmpdir(), `cn-${name}-`)),
        commitIntervalMs: 200,
        logger: silentLogger,
      });
      cleanup.push(() => app.close());
      await app.start();
      return app;
    };
    const settles = async (what: string) => {
      let got = new Map<string, unknown>();
      const ok = await eventually(
        () => {
          got = latestByKey(out.records);
          return JSON.stringify([...got].sort()) === JSON.stringify([...truth()].sort());
        },
        25_000,
        200,
      );
      const diff = [...truth()].filter(([k, v]) => JSON.stringify(got.get(k)) !== JSON.stringify(v));
      expect(diff.slice(0, 5), `${what}: ${got.size} rows, ${diff.length} differ`).toEqual([]);
      expect(
        [...got.keys()].filter((k) => !truth().has(k)),
        `${what}: rows of deleted campaigns`,
      ).toEqual([]);
      expect(ok).toBe(true);
    };

    const a = await start('a');
    await settles('initial load');
    expect([...truth().values()].filter((r) => r.network_name === null).length).toBeGreaterThan(0);

    // While running: a rename (every campaign of network 3 changes), a new network (10's campaigns
    // get a name), a deleted network (2's campaigns lose theirs), campaigns moved to another network
    // (one to a network that does not exist), deleted campaigns, and a malformed network record.
    const moved = [1, 2, 3, 4, 5].map((id) => campaigns.get(id) as Campaign);
    await putNetworks([
      { network_id: 3, network_name: 'Harbor Search Renamed' },
      { network_id: 10, network_name: 'Summit CTV' },
      { network_id: 2, delete: true },
    ]);
    await upsertCampaigns([
      ...moved.slice(0, 4).map((c) => ({ ...c, network_id: 10 })),
      { ...(moved[4] as Campaign), network_id: 42 },
    ]);
    await deleteCampaigns([6, 7]);
    await produceAll(networksTopic, [{ key: '11', value: '{"network_id": 11, "network_name": ' }]);
    await settles('updates while running');
    await a.close();

    // While no instance runs; then a fresh one on an empty state dir restores every store (both
    // tables, the subscriptions, the joined table) from its changelog before it goes on.
    await putNetworks([{ network_id: 4, network_name: 'Sierra Social Two' }]);
    await upsertCampaigns([
      { ...(campaigns.get(9) as Campaign), network_id: 2 }, // to the deleted network: no name
      { network_id: 5, campaign_id: 1000, campaign_name: 'New Campaign 1000' },
    ]);
    await deleteCampaigns([10]);
    const b = await start('b');
    await settles('after the restore');
    await b.close();

    const dlq = await (async () => {
      const t = await tail(`${networksTopic}-dlq`);
      await eventually(() => t.records.length >= 1, 15_000, 200);
      await t.stop();
      return t.records;
    })();
    expect(dlq.map((r) => [r.value?.toString(), r.headers[DLQ_HEADERS.topic]?.toString()])).toEqual([
      ['{"network_id": 11, "network_name": ', networksTopic],
    ]);
  });
});
