import { Serdes } from '@tributary/core';
import { TopologyTestDriver } from '@tributary/core/testing';
import { describe, expect, it } from 'vitest';
import type { BannerSession } from './sessions.js';
import { buildCampaignViewsTopology } from './topology.js';

const T0 = Date.UTC(2025, 10, 6, 12, 30, 0);
const s = (seconds: number) => T0 + seconds * 1000;
const view = (id: string, banner: number, startS: number, durationS: number) =>
  JSON.stringify({
    view_id: id,
    start_timestamp: s(startS),
    end_timestamp: s(startS + durationS),
    banner_id: banner,
    campaign_id: 7,
  });
const row = (banner: number, startS: number, endS: number, count: number, durS: number) => ({
  key: `${banner}@${s(startS)}`,
  value: {
    banner_id: banner,
    session_start: s(startS),
    session_end: s(endS),
    view_count: count,
    total_duration_s: durS,
  } satisfies BannerSession,
  timestamp: s(endS),
});

describe('campaign-views banner sessions (driver)', () => {
  it('emits one row per closed session: bridging views merge, a 5-minute gap still joins, later views are late', async () => {
    const topology = buildCampaignViewsTopology({
      output: { kind: 'topic', topic: 'rows' },
      sessionsOutput: { kind: 'topic', topic: 'sessions' },
      graceMs: 10_000,
      idleTimeoutMs: 10_000,
    });
    const driver = await TopologyTestDriver.create(topology, {
      errorPolicy: { mode: 'dead-letter', topic: 'view_log-dlq' },
    });
    const views = driver.createInputTopic('view_log', Serdes.string(), Serdes.string());
    const sessions = () =>
      driver
        .createOutputTopic('sessions', Serdes.string(), Serdes.json<BannerSession>())
        .readRecordsToList()
        .map((r) => ({ key: r.key, value: r.value, timestamp: r.timestamp }));
    await views.pipeInput('a', view('a', 1, 0, 10));
    // 305 s after a: a second session. (a's session closes at 310 s, gap + grace, so only a view
    // within that can still bridge the two.)
    await views.pipeInput('b', view('b', 1, 305, 20));
    await views.pipeInput('c', view('c', 1, 150, 5)); // within 5 min of both: merges them into one
    await views.pipeInput('d', view('d', 2, 0, 1));
    await views.pipeInput('e', view('e', 2, 300, 2)); // exactly the gap after d: same session
    await views.pipeInput('f', view('f', 2, 601, 3)); // 301 s after e: a new session
    await views.pipeInput('bad', '{"view_id": 1}'); // to the DLQ, not into any session
    // Nothing has closed yet: a session closes once the clock passes its end + gap + grace (310 s).
    expect(sessions()).toEqual([]);
    await views.pipeInput('g', view('g', 3, 1000, 4)); // clock 1000 s: sessions ending before 690 s close
    expect(sessions()).toEqual([row(2, 0, 300, 2, 3), row(1, 0, 305, 3, 35), row(2, 601, 601, 1, 3)]);
    // A view whose session would have closed already is late: to the sessions' late topic.
    await views.pipeInput('late', view('late', 4, 100, 1));
    expect(sessions()).toEqual([]);
    const late = driver
      .createOutputTopic(
        'view_log-sessions-late',
        Serdes.msgpack<number>(),
        Serdes.json<{ view_id: string }>(),
      )
      .readRecordsToList();
    expect(late.map((r) => [r.key, r.value.view_id])).toEqual([[4, 'late']]);
    // The quiet stream's last session closes on the idle timeout.
    await driver.advanceWallClockTime(10_000);
    expect(sessions()).toEqual([row(3, 1000, 1000, 1, 4)]);
  });

  it('is off by default: the topology has no session nodes or stores', () => {
    const off = buildCampaignViewsTopology({ output: { kind: 'topic', topic: 'rows' } })
      .describe()
      .toString();
    expect(off).not.toContain('banner');
    const on = buildCampaignViewsTopology({
      output: { kind: 'topic', topic: 'rows' },
      sessionsOutput: { kind: 'parquet', dir: '/tmp/sessions' },
    })
      .describe()
      .toString();
    expect(on).toContain('Processor: key-by-banner (selectKey; stores: [])');
    expect(on).toContain('parquet-by-session-date (parquet:/tmp/sessions partitionBy=session_date)');
  });
});
