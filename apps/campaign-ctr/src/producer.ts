import { type GeneratedView, parseView } from '@tributary/app-campaign-views';
import { type KafkaSecurity, kafkajsPort, type ProducerPort, silentLogger } from '@tributary/core';
import type { GeneratedClick } from './generator.js';

export interface ProduceCtrOptions {
  bootstrapServers: string;
  security?: KafkaSecurity | undefined;
  viewTopic: string;
  clickTopic: string;
  views: readonly GeneratedView[];
  clicks: readonly GeneratedClick[];
  /** Records per produce request (never one await per record). Default 2000. */
  batchSize?: number;
  /** Records per second; 0 or undefined = as fast as the broker takes them. */
  rate?: number;
  onProgress?: (sent: number) => void;
}

interface Out {
  topic: string;
  key: string;
  value: string;
}

/**
 * Views and clicks as one stream in event-time order, as an ad server writes them: a click goes out
 * once the view log has reached its time. Views stay in their generated order (so out-of-order and
 * late views stay where the generator put them).
 */
export function* interleave(
  o: Pick<ProduceCtrOptions, 'viewTopic' | 'clickTopic' | 'views' | 'clicks'>,
): Generator<Out> {
  let clock = Number.NEGATIVE_INFINITY;
  let c = 0;
  const clicksUntil = function* (t: number): Generator<Out> {
    for (; c < o.clicks.length && (o.clicks[c] as GeneratedClick).ts <= t; c++) {
      const k = o.clicks[c] as GeneratedClick;
      yield { topic: o.clickTopic, key: k.key, value: k.value };
    }
  };
  for (const v of o.views) {
    if (v.kind === 'valid') clock = Math.max(clock, parseView(v.value).start);
    yield* clicksUntil(clock);
    yield { topic: o.viewTopic, key: v.key, value: v.value };
  }
  yield* clicksUntil(Number.POSITIVE_INFINITY);
}

function producerFor(bootstrapServers: string, security: KafkaSecurity | undefined): ProducerPort {
  return kafkajsPort({
    bootstrapServers,
    security,
    clientId: 'campaign-ctr-producer',
    logger: silentLogger,
  }).producer({ idempotent: true });
}

/** Sends views and clicks interleaved in event-time order, in batches (acks=all). Resolves with the count sent. */
export async function produceCtrData(o: ProduceCtrOptions): Promise<number> {
  const producer = producerFor(o.bootstrapServers, o.security);
  await producer.connect();
  const size = o.batchSize ?? 2000;
  let sent = 0;
  const started = Date.now();
  try {
    let batch: Out[] = [];
    const flush = async () => {
      const now = Date.now();
      await producer.send(
        batch.map((r) => ({
          topic: r.topic,
          key: Buffer.from(r.key),
          value: Buffer.from(r.value),
          timestamp: now,
          headers: {},
        })),
      );
      sent += batch.length;
      batch = [];
      o.onProgress?.(sent);
      const wait = o.rate ? started + (sent / o.rate) * 1000 - Date.now() : 0;
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    };
    for (const r of interleave(o)) {
      batch.push(r);
      if (batch.length >= size) await flush();
    }
    if (batch.length > 0) await flush();
  } finally {
    await producer.disconnect();
  }
  return sent;
}
