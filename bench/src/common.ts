/**
 * Shared pieces of the drain benchmark: the data set definition (so the generator, the ground truth
 * and the gate agree), the 1,000 campaigns, and small kafkajs helpers for the harness itself.
 */
import {
  type Campaign,
  type GeneratedView,
  type GeneratorOptions,
  generateViews,
} from '@tributary/app-campaign-views';
import { Kafka, logLevel } from 'kafkajs';

export const BOOTSTRAP = process.env.KAFKA_BOOTSTRAP_SERVERS ?? '127.0.0.1:19092';
export const SEED = 8;
/** 2025-11-06T12:00:00Z: first event time of the data set. */
export const START_MS = Date.UTC(2025, 10, 6, 12, 0, 0);
/**
 * Flush records (one valid view per campaign, an hour after the data) close the last windows. They go
 * to a per-run topic that the peers read together with the input, and the harness writes them only
 * after the peer has consumed (committed) the whole input: a drain test processes partitions unevenly,
 * so a far-future record read early would make every record of a slower partition late.
 */
export const FLUSH_OFFSET_MS = 3_600_000;
/**
 * Grace of the 1-minute windows. A drain test reads a pre-loaded topic as fast as possible, so the
 * input partitions advance unevenly (a fetch can hold minutes of one partition's event time); the
 * grace must exceed that skew, or records of a slower partition arrive after their window closed and
 * both Kafka Streams and Tributary treat them as late. The flush records close every window at the end.
 */
export const GRACE_MS = 15 * 60_000;

export interface DataSet {
  records: number;
  partitions: number;
  campaigns: number;
}

/** The default number of campaigns of the generator and the suite. */
export const DEFAULT_CAMPAIGNS = 1000;

/** The views name their campaigns, so the campaign count is part of the data set's name. */
export function inputTopic(d: DataSet): string {
  return `bench-view-log-${d.records}-${d.partitions}-c${d.campaigns}`;
}
export function campaignsTopic(d: DataSet): string {
  return `bench-campaigns-${d.campaigns}`;
}

/** Event time span: about 80,000 views per minute (at least 3 minutes), as a busy ad server would see. */
export function spanMs(d: DataSet): number {
  return Math.max(3, Math.round(d.records / 80_000)) * 60_000;
}

export function benchCampaigns(n: number): Campaign[] {
  return Array.from({ length: n }, (_, i) => ({
    campaign_id: i + 1,
    network_id: 1 + (i % 25),
    campaign_name: `campaign ${i + 1}`,
  }));
}

export function generatorOptions(d: DataSet): GeneratorOptions {
  return {
    count: d.records,
    seed: SEED,
    campaigns: benchCampaigns(d.campaigns),
    startMs: START_MS,
    spanMs: spanMs(d),
    outOfOrder: 0.01,
    malformed: 0.002,
    unknownCampaigns: 0.001,
  };
}

export function* dataRecords(d: DataSet): Generator<GeneratedView> {
  yield* generateViews(generatorOptions(d));
}

/** One valid view per campaign, far in the future, so every task's stream time passes every window. */
export function flushRecords(d: DataSet): { key: string; value: string; partition: number }[] {
  const t = START_MS + spanMs(d) + FLUSH_OFFSET_MS;
  return benchCampaigns(d.campaigns).map((c, i) => ({
    key: `flush-${c.campaign_id}`,
    value: JSON.stringify({
      view_id: `flush-${c.campaign_id}`,
      start_timestamp: t,
      end_timestamp: t + 1000,
      banner_id: 1,
      campaign_id: c.campaign_id,
    }),
    partition: i % d.partitions,
  }));
}

export function flushMinute(d: DataSet): number {
  return START_MS + spanMs(d) + FLUSH_OFFSET_MS;
}

export interface Agg {
  count: number;
  durationMs: number;
}

/** Ground truth by `campaign@minuteStart`, computed independently of any framework from the generator output. */
export interface Truth {
  windows: Map<string, Agg>;
  valid: number;
  malformed: number;
  total: number;
}

function isoOrEpoch(v: unknown): number {
  if (typeof v === 'number') return v;
  const s = String(v);
  return Date.parse(s.includes('T') ? s : `${s.replace(' ', 'T')}Z`);
}

export function groundTruth(d: DataSet): Truth {
  const windows = new Map<string, Agg>();
  let valid = 0;
  let malformed = 0;
  for (const v of dataRecords(d)) {
    if (v.kind !== 'valid') {
      malformed++;
      continue;
    }
    valid++;
    const o = JSON.parse(v.value) as {
      start_timestamp: unknown;
      end_timestamp: unknown;
      campaign_id: number;
    };
    const start = isoOrEpoch(o.start_timestamp);
    const end = isoOrEpoch(o.end_timestamp);
    const key = `${o.campaign_id}@${start - (start % 60_000)}`;
    const a = windows.get(key);
    if (a) {
      a.count++;
      a.durationMs += end - start;
    } else windows.set(key, { count: 1, durationMs: end - start });
  }
  return { windows, valid, malformed, total: d.records };
}

export function kafka(clientId = 'bench'): Kafka {
  return new Kafka({
    clientId,
    brokers: BOOTSTRAP.split(','),
    logLevel: logLevel.NOTHING,
    retry: { retries: 8 },
  });
}

export async function endOffsetsSum(k: Kafka, topic: string): Promise<number> {
  const admin = k.admin();
  await admin.connect();
  try {
    const offs = await admin.fetchTopicOffsets(topic);
    return offs.reduce((s, o) => s + Number(o.high), 0);
  } finally {
    await admin.disconnect();
  }
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}
