import { type RowsOutput, type View, writeMinuteRows } from '@tributary/app-campaign-views';
import {
  JoinWindows,
  Serdes,
  StreamsBuilder,
  TimeWindows,
  type Topology,
  TributaryError,
  type Windowed,
} from '@tributary/core';
import type { Click } from './click.js';
import { type CtrAcc, type CtrEvent, countEvent, emptyCtrAcc, restampToView } from './ctr-events.js';
import { clickSerde, viewSerde } from './serdes.js';

interface Campaign {
  readonly network_id: number;
  readonly campaign_id: number;
  readonly campaign_name: string;
}

/** A click counts if it comes at most this long after its view (both ends included). */
export const CLICK_WINDOW_MS = 10 * 60_000;

/** One output row: a campaign's final figures for the views shown in one minute. */
export interface CampaignCtrMinute {
  campaign_id: number;
  network_id: number | null;
  campaign_name: string | null;
  minute_timestamp: number;
  view_count: number;
  /** Views of this minute with at least one click within the click window. */
  clicked_view_count: number;
  /** Every click within the click window of a view of this minute (a view may get several). */
  click_count: number;
  /** clicked_view_count / view_count; null if the minute has no views (only possible after late views). */
  ctr: number | null;
}

export const CTR_OUTPUT_SCHEMA = [
  { name: 'campaign_id', type: 'int64' },
  { name: 'network_id', type: 'int64', nullable: true },
  { name: 'campaign_name', type: 'string', nullable: true },
  { name: 'minute_timestamp', type: 'timestamp-ms' },
  { name: 'view_count', type: 'int64' },
  { name: 'clicked_view_count', type: 'int64' },
  { name: 'click_count', type: 'int64' },
  { name: 'ctr', type: 'double', nullable: true },
] as const;

export interface CampaignCtrOptions {
  viewTopic?: string;
  clickTopic?: string;
  campaignsTopic?: string;
  /** Where view and click events later than the minute window's grace go (JSON). */
  lateTopic?: string;
  /** Parquet root directory, a topic for JSON rows, or any sink. */
  output: RowsOutput<CampaignCtrMinute>;
  /** How long after its view a click still counts; default 10 minutes. */
  clickWindowMs?: number;
  /** Join grace: how far behind the join's stream time a view or click may still arrive; default 60 s. */
  joinGraceMs?: number;
  /**
   * Grace of the 1-minute windows; default click window + join grace + 10 s. A minute's clicks come in
   * up to a click window after its views, so less than the click window is refused.
   */
  graceMs?: number;
  /** Close the last minutes after this much wall-clock quiet (undefined: never). */
  idleTimeoutMs?: number;
  /** Counts rows whose campaign is not in the campaigns table. */
  stats?: { unknownCampaignRows: number };
}

/** The DLQ of each input: bad views to `<view topic>-dlq`, bad clicks to `<click topic>-dlq`. */
export function ctrDeadLetterTopic(viewTopic: string, clickTopic: string): (source: string) => string {
  return (source) => (source === clickTopic ? `${clickTopic}-dlq` : `${viewTopic}-dlq`);
}

/**
 * view_log and click_log -> validate (bad records to the DLQ via the error policy) ->
 * views: one event per view; clicks: views.join(clicks) on view_id over [view, view + click window],
 * one event per click, stamped with its view's time -> key by campaign -> 1-minute tumbling windows on
 * the view's time -> final (views, clicked views, clicks) -> left join with the campaigns table ->
 * Parquet by network_id and minute.
 */
export function buildCampaignCtrTopology(opts: CampaignCtrOptions): Topology {
  const viewTopic = opts.viewTopic ?? 'view_log';
  const clickTopic = opts.clickTopic ?? 'click_log';
  const clickWindowMs = opts.clickWindowMs ?? CLICK_WINDOW_MS;
  const joinGraceMs = opts.joinGraceMs ?? 60_000;
  const graceMs = opts.graceMs ?? clickWindowMs + joinGraceMs + 10_000;
  if (graceMs < clickWindowMs) {
    throw new TributaryError(
      'CONFIG_INVALID',
      `campaign-ctr: the minute grace (${graceMs} ms) must be at least the click window (${clickWindowMs} ms), or every late click of a minute arrives after it closed`,
    );
  }
  const b = new StreamsBuilder();
  const campaigns = b.globalTable<string, Campaign>(opts.campaignsTopic ?? 'campaigns', {
    name: 'campaigns',
  });
  // Parsing and validation happen in the serdes, so a bad record fails at deserialization and the
  // error policy sends its original bytes to the DLQ.
  const views = b.stream<string | null, View>(viewTopic, {
    valueSerde: viewSerde,
    timestampExtractor: (r) => r.value.start,
    name: 'view-log',
  });
  const clicks = b.stream<string | null, Click>(clickTopic, {
    valueSerde: clickSerde,
    timestampExtractor: (r) => r.value.ts,
    name: 'click-log',
  });

  // Keyed by view_id once: the views feed both the view counts and the join from this one topic, so
  // every later step runs in one sub-topology (a merge with the raw source would feed its own input).
  const viewsById = views
    .selectKey((_k, v) => v.view_id, { name: 'views-by-view-id' })
    .repartition({ name: 'views-by-view-id', keySerde: Serdes.string(), valueSerde: Serdes.msgpack<View>() });
  // Every valid view counts once, in its own minute, as soon as it is read: no waiting for its clicks.
  const viewEvents = viewsById.mapValues(
    (v): CtrEvent => ({
      view_id: v.view_id,
      campaign_id: v.campaign_id,
      view_start: v.start,
      click_id: null,
    }),
    { name: 'view-events' },
  );
  // An inner join: a click without a view in its window never comes out (not counted), and a result
  // comes out as soon as both sides are there, so the end of the input needs no flush.
  const clickEvents = viewsById
    .join(
      clicks.selectKey((_k, c) => c.view_id, { name: 'clicks-by-view-id' }),
      (v: View, c: Click): CtrEvent => ({
        view_id: v.view_id,
        campaign_id: v.campaign_id,
        view_start: v.start,
        click_id: c.click_id,
      }),
      // A right (click) record joins a view at t when t - before <= click <= t + after.
      JoinWindows.ofTimeDifferenceAndGrace(clickWindowMs, joinGraceMs).before(0),
      {
        name: 'views-clicks',
        keySerde: Serdes.string(),
        valueSerde: Serdes.msgpack<View>(),
        otherValueSerde: Serdes.msgpack<Click>(),
      },
    )
    // A join result carries the later timestamp (the click's); the minute it counts in is the view's.
    .process<string, CtrEvent>(restampToView, { name: 'click-at-view-time' });

  const windowed = viewEvents
    .merge(clickEvents, { name: 'ctr-events' })
    .selectKey((_k, e) => e.campaign_id, { name: 'key-by-campaign' })
    .groupByKey({ keySerde: Serdes.msgpack<number>(), valueSerde: Serdes.msgpack<CtrEvent>() })
    .windowedBy(TimeWindows.ofSizeAndGrace(60_000, graceMs))
    .aggregate<CtrAcc>(emptyCtrAcc, (_k, e, acc) => countEvent(e, acc), {
      name: 'campaign-minute-ctr',
      ...(opts.idleTimeoutMs !== undefined ? { idleTimeoutMs: opts.idleTimeoutMs } : {}),
    });
  windowed.lateRecords().to(opts.lateTopic ?? 'campaign-ctr-late', {
    name: 'late-events',
    valueSerde: Serdes.json(),
  });
  const rows = windowed
    .toStream({ name: 'final-minutes' })
    .leftJoinGlobal(
      campaigns,
      (w: Windowed<number>) => String(w.key),
      (acc: CtrAcc, c: Campaign | undefined, w: Windowed<number>): CampaignCtrMinute => {
        if (!c && opts.stats) opts.stats.unknownCampaignRows += 1;
        return {
          campaign_id: w.key,
          network_id: c?.network_id ?? null,
          campaign_name: c?.campaign_name ?? null,
          minute_timestamp: w.window.start,
          view_count: acc.views,
          clicked_view_count: acc.clicked.length,
          click_count: acc.clicks,
          ctr: acc.views > 0 ? acc.clicked.length / acc.views : null,
        };
      },
      { name: 'join-campaigns' },
    )
    .selectKey((w) => `${w.key}@${w.window.start}`, { name: 'row-key' });
  writeMinuteRows(rows, opts.output, { name: 'campaign-ctr-minutes', schema: CTR_OUTPUT_SCHEMA });
  return b.build();
}
