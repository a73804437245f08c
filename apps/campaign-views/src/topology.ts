import { Serdes, StreamsBuilder, TimeWindows, type Topology, type Windowed } from '@tributary/core';
import type { Campaign } from './campaigns.js';
import { type RowsOutput, writeMinuteRows } from './rows-output.js';
import { addBannerSessions, type BannerSession } from './sessions.js';
import { type View, viewFromBytes } from './view.js';

/** Reads and validates view-log JSON; writes the same contract shape back (epoch-ms timestamps). */
export const viewSerde = Serdes.custom<View>(
  (v) =>
    Buffer.from(
      JSON.stringify({
        view_id: v.view_id,
        start_timestamp: v.start,
        end_timestamp: v.end,
        banner_id: v.banner_id,
        campaign_id: v.campaign_id,
      }),
    ),
  viewFromBytes,
);

/** One output row: a campaign's final figures for one minute. */
export interface CampaignMinute {
  campaign_id: number;
  network_id: number | null;
  campaign_name: string | null;
  minute_timestamp: number;
  view_count: number;
  avg_duration: number;
}

export const OUTPUT_SCHEMA = [
  { name: 'campaign_id', type: 'int64' },
  { name: 'network_id', type: 'int64', nullable: true },
  { name: 'campaign_name', type: 'string', nullable: true },
  { name: 'minute_timestamp', type: 'timestamp-ms' },
  { name: 'view_count', type: 'int64' },
  { name: 'avg_duration', type: 'double' },
] as const;

export interface CampaignViewsOptions {
  inputTopic?: string;
  campaignsTopic?: string;
  /** Where late records (past the window's grace) are written. */
  lateTopic?: string;
  /** Parquet root directory, or a topic to write JSON rows to (benchmark variant). */
  output: RowsOutput<CampaignMinute>;
  graceMs?: number;
  /** Close the last minutes after this much wall-clock quiet (undefined: never). */
  idleTimeoutMs?: number;
  /**
   * Optional second output: each banner's viewing sessions (5-minute gap), one row per closed
   * session. Off unless given. Late views of this output go to `<input>-sessions-late`.
   */
  sessionsOutput?: RowsOutput<BannerSession>;
  /** Counts rows whose campaign is not in the campaigns table. */
  stats?: { unknownCampaignRows: number };
}

interface Acc {
  count: number;
  durationMs: number;
}

/**
 * view_log -> validate (bad records to the DLQ via the error policy) -> key by campaign ->
 * 1-minute tumbling windows on start_timestamp -> final (count, average duration) per window ->
 * left join with the campaigns global table -> Parquet by network_id and minute.
 */
export function buildCampaignViewsTopology(opts: CampaignViewsOptions): Topology {
  const b = new StreamsBuilder();
  const campaigns = b.globalTable<string, Campaign>(opts.campaignsTopic ?? 'campaigns', {
    name: 'campaigns',
  });
  const inputTopic = opts.inputTopic ?? 'view_log';
  const views = b.stream<string | null, View>(inputTopic, {
    // Parsing and validation happen in the serde, so a bad record fails at deserialization and the
    // error policy sends its original bytes to the DLQ; event time is the view's start.
    valueSerde: viewSerde,
    timestampExtractor: (r) => r.value.start,
    name: 'view-log',
  });
  const windowed = views
    .selectKey((_k, v) => v.campaign_id, { name: 'key-by-campaign' })
    .groupByKey({ keySerde: Serdes.msgpack<number>(), valueSerde: Serdes.msgpack<View>() })
    .windowedBy(TimeWindows.ofSizeAndGrace(60_000, opts.graceMs ?? 10_000))
    .aggregate<Acc>(
      () => ({ count: 0, durationMs: 0 }),
      (_k, v, acc) => ({ count: acc.count + 1, durationMs: acc.durationMs + (v.end - v.start) }),
      {
        name: 'campaign-minute',
        ...(opts.idleTimeoutMs !== undefined ? { idleTimeoutMs: opts.idleTimeoutMs } : {}),
      },
    );
  windowed.lateRecords().to(opts.lateTopic ?? `${inputTopic}-late`, {
    name: 'late-views',
    valueSerde: Serdes.json(),
  });
  const rows = windowed
    .toStream({ name: 'final-minutes' })
    .leftJoinGlobal(
      campaigns,
      (w: Windowed<number>) => String(w.key),
      (acc: Acc, c: Campaign | undefined, w: Windowed<number>): CampaignMinute => {
        if (!c && opts.stats) opts.stats.unknownCampaignRows += 1;
        return {
          campaign_id: w.key,
          network_id: c?.network_id ?? null,
          campaign_name: c?.campaign_name ?? null,
          minute_timestamp: w.window.start,
          view_count: acc.count,
          avg_duration: acc.durationMs / acc.count / 1000,
        };
      },
      { name: 'join-campaigns' },
    )
    .selectKey((w) => `${w.key}@${w.window.start}`, { name: 'row-key' });
  writeMinuteRows(rows, opts.output, { name: 'campaign-minutes', schema: OUTPUT_SCHEMA });
  if (opts.sessionsOutput) {
    addBannerSessions(views, {
      output: opts.sessionsOutput,
      graceMs: opts.graceMs ?? 10_000,
      lateTopic: `${inputTopic}-sessions-late`,
      ...(opts.idleTimeoutMs !== undefined ? { idleTimeoutMs: opts.idleTimeoutMs } : {}),
    });
  }
  return b.build();
}
