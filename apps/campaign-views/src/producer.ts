import { kafkajsPort, type ProducerPort, silentLogger } from '@tributary/core';
import type { Campaign } from './campaigns.js';
import { type GeneratedView, type GeneratorOptions, generateViews } from './generator.js';

export interface ProduceOptions extends GeneratorOptions {
  bootstrapServers: string;
  topic: string;
  /** Records per second; 0 = as fast as the broker takes them. */
  rate?: number;
  batchSize?: number;
  onProgress?: (sent: number) => void;
}

function producerFor(bootstrapServers: string): ProducerPort {
  return kafkajsPort({
    bootstrapServers,
    clientId: 'campaign-views-producer',
    logger: silentLogger,
  }).producer({});
}

const utf8 = (s: string) => Buffer.from(s, 'utf8');

/** Sends generated views in batches (acks=all); returns what was sent, for ground truth. */
export async function produceViews(o: ProduceOptions): Promise<GeneratedView[]> {
  const producer = producerFor(o.bootstrapServers);
  await producer.connect();
  const sent: GeneratedView[] = [];
  const rate = o.rate ?? 0;
  // At a set rate, send ten batches a second so the stream looks continuous.
  const batchSize =
    rate > 0 ? Math.max(1, Math.min(o.batchSize ?? 1000, Math.floor(rate / 10))) : (o.batchSize ?? 2000);
  const started = Date.now();
  let batch: GeneratedView[] = [];
  const flush = async () => {
    if (batch.length === 0) return;
    await producer.send(
      batch.map((v) => ({
        topic: o.topic,
        key: utf8(v.key),
        value: utf8(v.value),
        timestamp: Date.now(),
        headers: {},
      })),
    );
    sent.push(...batch);
    batch = [];
    o.onProgress?.(sent.length);
    if (rate > 0) {
      const wait = started + (sent.length / rate) * 1000 - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    }
  };
  try {
    for (const v of generateViews(o)) {
      batch.push(v);
      if (batch.length >= batchSize) await flush();
    }
    await flush();
  } finally {
    await producer.disconnect();
  }
  return sent;
}

/** Publishes campaigns to the compacted table topic, keyed by campaign_id. */
export async function loadCampaigns(o: {
  bootstrapServers: string;
  topic: string;
  campaigns: readonly Campaign[];
}): Promise<void> {
  const producer = producerFor(o.bootstrapServers);
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
