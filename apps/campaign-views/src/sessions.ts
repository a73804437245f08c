import { type KStream, Serdes, SessionWindows, type Windowed } from '@tributary/core';
import { parquetSink, partitionFormats } from '@tributary/sinks';
import type { RowsOutput } from './rows-output.js';
import type { View } from './view.js';

/** A banner's viewing session closes after this long without a view (by start_timestamp). */
export const SESSION_GAP_MS = 5 * 60_000;

/** How long the sessions store keeps a session after the latest session end it has stored. */
export const SESSION_RETENTION_MS = 24 * 3_600_000;

/** One output row: a closed viewing session of one banner. */
export interface BannerSession {
  banner_id: number;
  /** start_timestamp of the session's first view. */
  session_start: number;
  /** start_timestamp of the session's last view (the session window's inclusive end). */
  session_end: number;
  view_count: number;
  /** Sum of the views' durations (end - start), in seconds. */
  total_duration_s: number;
}

export const SESSIONS_SCHEMA = [
  { name: 'banner_id', type: 'int64' },
  { name: 'session_start', type: 'timestamp-ms' },
  { name: 'session_end', type: 'timestamp-ms' },
  { name: 'view_count', type: 'int64' },
  { name: 'total_duration_s', type: 'double' },
] as const;

export interface BannerSessionsOptions {
  output: RowsOutput<BannerSession>;
  graceMs: number;
  idleTimeoutMs?: number;
  /** Where views too late for any open session go. */
  lateTopic: string;
}

interface Acc {
  count: number;
  durationMs: number;
}

/**
 * views -> key by banner -> session windows (5-minute gap) -> final (count, duration sum) per
 * session -> Parquet partitioned by the UTC day the session started. Branches off the parsed view
 * stream, so it shares the source (and its DLQ handling) with the per-minute output.
 */
export function addBannerSessions(views: KStream<string | null, View>, opts: BannerSessionsOptions): void {
  const sessions = views
    .selectKey((_k, v) => v.banner_id, { name: 'key-by-banner' })
    .groupByKey({ keySerde: Serdes.msgpack<number>(), valueSerde: Serdes.msgpack<View>() })
    .windowedBy(SessionWindows.ofInactivityGapAndGrace(SESSION_GAP_MS, opts.graceMs))
    .aggregate<Acc>(
      () => ({ count: 0, durationMs: 0 }),
      (_k, v, acc) => ({ count: acc.count + 1, durationMs: acc.durationMs + (v.end - v.start) }),
      // A bridging view joins two sessions: their figures simply add up.
      (_k, a, b) => ({ count: a.count + b.count, durationMs: a.durationMs + b.durationMs }),
      {
        name: 'banner-sessions',
        // Behind the repartition by banner, the upstream tasks' views arrive interleaved far apart in
        // event time (the watermark holds them all on time); the default retention (gap + grace,
        // from the latest session end stored) would hide a slower partition's open sessions and split
        // them. A day covers any backlog the watermark keeps on time in practice.
        retentionMs: SESSION_RETENTION_MS,
        ...(opts.idleTimeoutMs !== undefined ? { idleTimeoutMs: opts.idleTimeoutMs } : {}),
      },
    );
  sessions.lateRecords().to(opts.lateTopic, { name: 'late-session-views', valueSerde: Serdes.json() });
  const rows = sessions.toStream({ name: 'final-sessions' }).map(
    (w: Windowed<number>, acc: Acc) => ({
      key: `${w.key}@${w.window.start}`,
      value: {
        banner_id: w.key,
        session_start: w.window.start,
        session_end: w.window.end,
        view_count: acc.count,
        total_duration_s: acc.durationMs / 1000,
      } satisfies BannerSession,
    }),
    { name: 'session-row' },
  );
  const out = opts.output;
  if (out.kind === 'topic') {
    rows.to(out.topic, {
      name: 'sessions-to-topic',
      keySerde: Serdes.string(),
      valueSerde: Serdes.json<BannerSession>(),
    });
    return;
  }
  const sink =
    out.kind === 'sink'
      ? out.sink
      : parquetSink<string, BannerSession>({
          name: 'banner-sessions',
          path: out.dir,
          schema: [...SESSIONS_SCHEMA],
          // session_date is not a column: the directory alone names the day the session started.
          partitionBy: ['session_date'],
          partitionFormat: { session_date: (_v, row) => partitionFormats.day(row.session_start) },
          rolling: { maxRecords: 250_000 },
        });
  rows.sink(sink, { name: 'parquet-by-session-date' });
}
