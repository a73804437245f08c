import { readFile } from 'node:fs/promises';
import { type Campaign, parseCsv } from '@tributary/app-campaign-views';
import {
  type KafkaSecurity,
  kafkajsPort,
  Serdes,
  StreamsBuilder,
  silentLogger,
  type Topology,
} from '@tributary/core';

/** One ad network: the table the campaigns' `network_id` refers to. */
export interface Network {
  readonly network_id: number;
  readonly network_name: string;
}

/** A campaign with its network's name: a row of the `campaign-networks` table. */
export interface CampaignNetwork {
  readonly campaign_id: number;
  readonly campaign_name: string;
  readonly network_id: number;
  /** null while the networks table has no row for the campaign's network_id. */
  readonly network_name: string | null;
}

export const DEFAULT_NETWORKS_CSV = new URL('../data/networks.csv', import.meta.url).pathname;

/** Reads `network_id,network_name` rows; a malformed line is an error with its line number. */
export function parseNetworks(text: string): Network[] {
  const [header, ...rows] = parseCsv(text);
  if (header?.join(',') !== 'network_id,network_name')
    throw new Error(`networks CSV: expected header network_id,network_name, got ${header?.join(',')}`);
  return rows.map((r, i) => {
    const network_id = Number(r[0]);
    const network_name = r[1];
    if (r.length !== 2 || !Number.isSafeInteger(network_id) || network_name === undefined)
      throw new Error(`networks CSV line ${i + 2}: expected network_id,network_name`);
    return { network_id, network_name };
  });
}

export async function readNetworks(path: string): Promise<Network[]> {
  return parseNetworks(await readFile(path, 'utf8'));
}

/**
 * Writes networks (JSON, keyed by network_id) to the compacted networks topic; `null` as a value
 * deletes a network. Timestamps are the wall clock, as the campaigns loader writes them.
 */
export async function loadNetworks(o: {
  bootstrapServers: string;
  security?: KafkaSecurity | undefined;
  topic: string;
  networks: readonly (Network | { network_id: number; delete: true })[];
}): Promise<void> {
  const producer = kafkajsPort({
    bootstrapServers: o.bootstrapServers,
    security: o.security,
    clientId: 'campaign-ctr-networks',
    logger: silentLogger,
  }).producer({ idempotent: true });
  await producer.connect();
  try {
    await producer.send(
      o.networks.map((n) => ({
        topic: o.topic,
        key: Buffer.from(String(n.network_id)),
        value: 'delete' in n ? null : Buffer.from(JSON.stringify(n)),
        timestamp: Date.now(),
        headers: {},
      })),
    );
  } finally {
    await producer.disconnect();
  }
}

/** Default output topic of the campaign-networks table. */
export const CAMPAIGN_NETWORKS_TOPIC = 'campaign-networks';

export interface CampaignNetworksOptions {
  /** The campaigns topic (campaign-views' CSV, keyed by campaign_id), read as a KTable. */
  readonly campaignsTopic?: string;
  /** Compacted topic of networks keyed by network_id, JSON `{network_id, network_name}`. */
  readonly networksTopic: string;
  /** Where the joined table goes (default `campaign-networks`): keyed by campaign_id, JSON, tombstones for deletes. */
  readonly outputTopic?: string;
}

/**
 * campaigns (KTable by campaign_id) leftJoin networks (KTable by network_id) on the foreign key
 * `network_id`: a foreign-key join (KIP-213), so the campaigns need not be keyed or partitioned like
 * the networks. Every change on either side updates the affected rows of the output: a renamed
 * network re-emits each of its campaigns, a campaign moved to another network takes that one's
 * name, a deleted network leaves its campaigns with `network_name: null`, a deleted campaign is a
 * tombstone.
 *
 * A topology of its own (run next to the CTR one by `streams --networks-topic`): the CTR topology
 * reads the campaigns topic as a global table, and a topic is either a global table's or a task's
 * source, as in Kafka Streams.
 */
export function buildCampaignNetworksTopology(o: CampaignNetworksOptions): Topology {
  const b = new StreamsBuilder();
  const keySerde = Serdes.string();
  const campaigns = b.table<string, Campaign>(o.campaignsTopic ?? 'campaigns', {
    keySerde,
    valueSerde: Serdes.json<Campaign>(),
    name: 'campaigns-by-id',
  });
  const networks = b.table<string, Network>(o.networksTopic, {
    keySerde,
    valueSerde: Serdes.json<Network>(),
    name: 'networks',
  });
  campaigns
    .leftJoin(
      networks,
      // A campaign without a usable network_id joins nothing: the left join keeps it, name null.
      (c: Campaign) => (Number.isSafeInteger(c.network_id) ? String(c.network_id) : undefined),
      (c: Campaign, n: Network | undefined): CampaignNetwork => ({
        campaign_id: c.campaign_id,
        campaign_name: c.campaign_name,
        network_id: c.network_id,
        network_name: n?.network_name ?? null,
      }),
      { name: 'campaign-networks', foreignKeySerde: keySerde },
    )
    .toStream({ name: 'campaign-networks-changes' })
    .to(o.outputTopic ?? CAMPAIGN_NETWORKS_TOPIC, {
      name: 'campaign-networks-sink',
      keySerde,
      valueSerde: Serdes.json(),
    });
  return b.build();
}

/** Bad records of the campaign-networks topology go to `<their topic>-dlq`. */
export const networksDeadLetterTopic = (source: string): string => `${source}-dlq`;
