/**
 * The stream-stream join rows' data: the view log of the drain benchmark plus a click log made from
 * it with the campaign-ctr click generator, and the expected join pairs, computed here from the
 * generated JSON without any framework code.
 */
import { type GeneratedClick, generateClicks } from '@tributary/app-campaign-ctr';
import type { Kafka, Message } from 'kafkajs';
import { type DataSet, dataRecords, endOffsetsSum, SEED } from './common.js';
import { recreate, topicExists } from './generate.js';

/** A click joins its view when view start <= click <= view start + this (campaign-ctr's rule). */
export const CLICK_WINDOW_MS = 10 * 60_000;
/** How far one input may run ahead of the other in a drain and still join (retention of the buffers). */
export const JOIN_GRACE_MS = 15 * 60_000;

export function clickTopic(d: DataSet): string {
  return `bench-click-log-${d.records}-${d.partitions}-c${d.campaigns}`;
}

/** A quarter of the views clicked (1-3 clicks each), 5% orphans, 0.2% malformed: a busy click log. */
export function clickRecords(d: DataSet): GeneratedClick[] {
  return generateClicks(dataRecords(d), { seed: SEED, clickRate: 0.25, orphans: 0.05, malformed: 0.002 });
}

/** One expected join result, keyed by click id (a click joins at most one view: view ids are unique). */
export interface JoinPair {
  view_id: string;
  campaign_id: number;
  view_start: number;
  click_ts: number;
}

export interface JoinTruth {
  pairs: Map<string, JoinPair>;
  views: number;
  clicks: number;
  /** Malformed views + malformed clicks: what the dead-letter topic must hold. */
  malformed: number;
}

const toMs = (v: unknown) => {
  if (typeof v === 'number') return v;
  const s = String(v);
  return Date.parse(s.includes('T') ? s : `${s.replace(' ', 'T')}Z`);
};

export function joinTruth(d: DataSet, clicks: readonly GeneratedClick[]): JoinTruth {
  const views = new Map<string, { campaign_id: number; start: number }>();
  let malformed = 0;
  let viewCount = 0;
  for (const v of dataRecords(d)) {
    viewCount++;
    if (v.kind !== 'valid') {
      malformed++;
      continue;
    }
    const o = JSON.parse(v.value) as { view_id: string; start_timestamp: unknown; campaign_id: number };
    views.set(o.view_id, { campaign_id: o.campaign_id, start: toMs(o.start_timestamp) });
  }
  const pairs = new Map<string, JoinPair>();
  for (const c of clicks) {
    if (c.kind !== 'valid') {
      malformed++;
      continue;
    }
    const o = JSON.parse(c.value) as { click_id: string; view_id: string; click_timestamp: unknown };
    const view = views.get(o.view_id);
    const ts = toMs(o.click_timestamp);
    if (!view || ts < view.start || ts > view.start + CLICK_WINDOW_MS) continue;
    pairs.set(o.click_id, {
      view_id: o.view_id,
      campaign_id: view.campaign_id,
      view_start: view.start,
      click_ts: ts,
    });
  }
  return { pairs, views: viewCount, clicks: clicks.length, malformed };
}

/** Writes the click log once (in click-time order); skips when the topic already holds every click. */
export async function ensureClickData(
  k: Kafka,
  d: DataSet,
  clicks: readonly GeneratedClick[],
  log: (s: string) => void,
): Promise<void> {
  const topic = clickTopic(d);
  const have = (await topicExists(k, topic)) ? await endOffsetsSum(k, topic) : -1;
  if (have === clicks.length) {
    log(`generate: ${topic} already holds ${clicks.length} clicks, skipping`);
    return;
  }
  await recreate(k, topic, d.partitions);
  const producer = k.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  try {
    for (let i = 0; i < clicks.length; i += 5000) {
      const messages: Message[] = clicks.slice(i, i + 5000).map((c) => ({ key: c.key, value: c.value }));
      await producer.send({ topic, acks: -1, messages });
    }
  } finally {
    await producer.disconnect();
  }
  log(`generate: wrote ${clicks.length} clicks to ${topic} (${d.partitions} partitions)`);
}
