import { produceLoop } from '@tributary/app-kit';
import { type KafkaSecurity, kafkajsPort, type ProducerPort, silentLogger } from '@tributary/core';
import type { Campaign } from './campaigns.js';
import { type GeneratedView, type GeneratorOptions, generateViews } from './generator.js';

export interface ProduceOptions extends GeneratorOptions {
  bootstrapServers: string;
  security?: KafkaSecurity | undefined;
  topic: string;
  /** Records per second; 0 = as fast as the broker takes them. */
  rate?: number;
  batchSize?: number;
  /**
   * Idempotent by default: a plain producer's retry can write a batch twice, and callers compute
   * their ground truth from what was sent. Off only where kafkajs' idempotent producer cannot connect
   * (a cluster whose controller node is down).
   */
  idempotent?: boolean;
  onProgress?: (sent: number) => void;
}

function producerFor(
  bootstrapServers: string,
  security: KafkaSecurity | undefined,
  idempotent = true,
): ProducerPort {
  return kafkajsPort({
    bootstrapServers,
    security,
    clientId: 'campaign-views-producer',
    logger: silentLogger,
  }).producer({ idempotent });
}

const utf8 = (s: string) => Buffer.from(s, 'utf8');

/** Sends generated views in paced batches (acks=all); returns what was sent, for ground truth. */
export async function produceViews(o: ProduceOptions): Promise<GeneratedView[]> {
  const total = o.count + (o.late ?? 0);
  if (total === 0) return []; // produceLoop reads count 0 as "until aborted"
  const producer = producerFor(o.bootstrapServers, o.security, o.idempotent);
  await producer.connect();
  const sent: GeneratedView[] = [];
  const views = generateViews(o);
  try {
    await produceLoop<GeneratedView>({
      producer,
      topic: o.topic,
      count: total,
      rate: o.rate ?? 0,
      batchSize: o.batchSize ?? 2000,
      next: () => {
        const v = views.next().value as GeneratedView;
        sent.push(v);
        return v;
      },
      encode: (v) => ({ key: v.key, value: v.value }),
      ...(o.onProgress ? { onProgress: o.onProgress } : {}),
    });
  } finally {
    await producer.disconnect();
  }
  return sent;
}

/** Publishes campaigns to the compacted table topic, keyed by campaign_id. */
export async function loadCampaigns(o: {
  bootstrapServers: string;
  security?: KafkaSecurity | undefined;
  topic: string;
  campaigns: readonly Campaign[];
}): Promise<void> {
  const producer = producerFor(o.bootstrapServers, o.security);
  await producer.connect();
  try {
    await producer.send(
      o.campaigns.map((c) => ({
        topic: o.topic,
        key: utf8(String(c.campaign_id)),
        value: utf8(JSON.stringify(c)),
        timestamp: Date.now(),
        headers: {},
      })),
    );
  } finally {
    await producer.disconnect();
  }
}
