/**
 * Pre-loads the benchmark input once: `bench-view-log-<N>-<P>-c<C>` (N generated view-log records over P
 * partitions) and `bench-campaigns-<C>` (compacted, keyed by campaign_id). The flush records that close
 * the last windows are not in this topic: run-suite writes them to a per-run topic (see common.ts).
 * Skips when the input topic already holds exactly that many records.
 *
 *   npx tsx bench/src/generate.ts [--records 200000] [--partitions 4] [--campaigns 1000]
 */
import { pathToFileURL } from 'node:url';
import { parseCliOrExit, parseFlags } from '@tributary/app-kit';
import type { Kafka, Message } from 'kafkajs';
import { GENERATE_CLI } from './cli.js';
import {
  BOOTSTRAP,
  benchCampaigns,
  campaignsTopic,
  type DataSet,
  dataRecords,
  endOffsetsSum,
  inputTopic,
  kafka,
} from './common.js';

export async function topicExists(k: Kafka, topic: string): Promise<boolean> {
  const admin = k.admin();
  await admin.connect();
  try {
    return (await admin.listTopics()).includes(topic);
  } finally {
    await admin.disconnect();
  }
}

/** Deletes the topic if it exists and creates it empty. */
export async function recreate(
  k: Kafka,
  topic: string,
  partitions: number,
  configs: Record<string, string> = {},
): Promise<void> {
  const admin = k.admin();
  await admin.connect();
  try {
    if ((await admin.listTopics()).includes(topic)) {
      await admin.deleteTopics({ topics: [topic] });
      for (let i = 0; i < 100 && (await admin.listTopics()).includes(topic); i++)
        await new Promise((r) => setTimeout(r, 200));
    }
    await admin.createTopics({
      waitForLeaders: true,
      topics: [
        {
          topic,
          numPartitions: partitions,
          replicationFactor: 1,
          configEntries: Object.entries(configs).map(([name, value]) => ({ name, value })),
        },
      ],
    });
  } finally {
    await admin.disconnect();
  }
}

export async function ensureData(d: DataSet, log: (s: string) => void = console.log): Promise<void> {
  const k = kafka('bench-generate');
  const input = inputTopic(d);
  const campaigns = campaignsTopic(d);
  const expected = d.records;

  if (!(await topicExists(k, campaigns)) || (await endOffsetsSum(k, campaigns)) < d.campaigns) {
    await recreate(k, campaigns, 1, { 'cleanup.policy': 'compact' });
    const p = k.producer({ allowAutoTopicCreation: false });
    await p.connect();
    // In chunks: one batch of 20,000+ campaigns would exceed the broker's 1 MiB message.max.bytes.
    const all = benchCampaigns(d.campaigns);
    for (let i = 0; i < all.length; i += 5000)
      await p.send({
        topic: campaigns,
        acks: -1,
        messages: all
          .slice(i, i + 5000)
          .map((c) => ({ key: String(c.campaign_id), value: JSON.stringify(c) })),
      });
    await p.disconnect();
    log(`generate: wrote ${d.campaigns} campaigns to ${campaigns}`);
  }

  if ((await topicExists(k, input)) && (await endOffsetsSum(k, input)) === expected) {
    log(`generate: ${input} already holds ${expected} records, skipping`);
    return;
  }
  await recreate(k, input, d.partitions);
  const producer = k.producer({ allowAutoTopicCreation: false, maxInFlightRequests: 5 });
  await producer.connect();
  const started = Date.now();
  let sent = 0;
  const inFlight = new Set<Promise<unknown>>();
  const send = async (messages: Message[]) => {
    const pr = producer.send({ topic: input, acks: -1, messages });
    inFlight.add(pr);
    pr.finally(() => inFlight.delete(pr)).catch(() => {});
    if (inFlight.size >= 4) await Promise.race(inFlight);
  };
  let batch: Message[] = [];
  for (const v of dataRecords(d)) {
    batch.push({ key: v.key, value: v.value });
    if (batch.length === 5000) {
      await send(batch);
      sent += batch.length;
      batch = [];
      if (sent % 500_000 === 0)
        log(`generate: ${sent} / ${d.records} (${Math.round(sent / ((Date.now() - started) / 1000))} rec/s)`);
    }
  }
  if (batch.length) await send(batch);
  await Promise.all(inFlight);
  await producer.disconnect();
  const total = await endOffsetsSum(k, input);
  if (total !== expected) throw new Error(`generate: ${input} holds ${total} records, expected ${expected}`);
  log(
    `generate: wrote ${expected} records to ${input} (${d.partitions} partitions) in ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { values: d } = parseCliOrExit(GENERATE_CLI.usage, () =>
    parseFlags(GENERATE_CLI, process.argv.slice(2)),
  );
  console.log(`generate: broker ${BOOTSTRAP}`);
  await ensureData(d);
}
