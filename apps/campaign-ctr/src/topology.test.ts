import { DLQ_HEADERS, Serdes } from '@tributary/core';
import { TopologyTestDriver } from '@tributary/core/testing';
import { describe, expect, it } from 'vitest';
import { buildCampaignCtrTopology, type CampaignCtrMinute, ctrDeadLetterTopic } from './topology.js';

const T0 = Date.UTC(2025, 10, 6, 12, 30, 0);
const MIN = 60_000;
const view = (id: string, campaign: number, startMs: number) =>
  JSON.stringify({
    view_id: id,
    start_timestamp: startMs,
    end_timestamp: startMs + 5000,
    banner_id: 1,
    campaign_id: campaign,
  });
const click = (id: string, viewId: string, ts: number) =>
  JSON.stringify({ click_id: id, view_id: viewId, click_timestamp: new Date(ts).toISOString() });

async function driverFor(stats?: { unknownCampaignRows: number }) {
  const topology = buildCampaignCtrTopology({
    output: { kind: 'topic', topic: 'rows' },
    joinGraceMs: 5_000,
    graceMs: 10 * MIN + 10_000,
    idleTimeoutMs: 10_000,
    ...(stats ? { stats } : {}),
  });
  const driver = await TopologyTestDriver.create(topology, {
    errorPolicy: { mode: 'dead-letter', topic: ctrDeadLetterTopic('view_log', 'click_log') },
  });
  await driver
    .createInputTopic('campaigns')
    .pipeInput('7', { network_id: 3, campaign_id: 7, campaign_name: 'Spring, Sale' });
  return {
    driver,
    views: driver.createInputTopic('view_log', Serdes.string(), Serdes.string()),
    clicks: driver.createInputTopic('click_log', Serdes.string(), Serdes.string()),
    rows: () => driver.createOutputTopic<string, CampaignCtrMinute>('rows').readKeyValuesToList(),
  };
}

describe('campaign-ctr topology (driver)', () => {
  it("counts views, clicks within [view, view + 10 min] and distinct clicked views in the view's minute", async () => {
    const stats = { unknownCampaignRows: 0 };
    const { driver, views, clicks, rows } = await driverFor(stats);
    await views.pipeInput('a', view('a', 7, T0 + 1000));
    await views.pipeInput('b', view('b', 7, T0 + 30_000));
    await views.pipeInput('c', view('c', 7, T0 + 50_000));
    await views.pipeInput('d', view('d', 999, T0 + 59_000)); // campaign not in the table
    await clicks.pipeInput('c-early', click('c-early', 'c', T0 + 49_999)); // before its view: not counted
    await clicks.pipeInput('a1', click('a1', 'a', T0 + 1000)); // at the view's own time: counts
    await clicks.pipeInput('d1', click('d1', 'd', T0 + 70_000)); // in the next minute: counts in the view's
    await clicks.pipeInput('orphan', click('orphan', 'nope', T0 + 80_000)); // no such view: not counted
    await clicks.pipeInput('bad', '{"click_id": "bad"}');
    await views.pipeInput('bad-view', '{"view_id": 1}');
    await clicks.pipeInput('a2', click('a2', 'a', T0 + 3 * MIN)); // a's second click: 2 clicks, 1 clicked view
    await clicks.pipeInput('b1', click('b1', 'b', T0 + 30_000 + 10 * MIN)); // exactly 10 min: counts
    await clicks.pipeInput('c-late', click('c-late', 'c', T0 + 50_000 + 10 * MIN + 1)); // 10 min + 1 ms: not
    expect(rows()).toEqual([]); // the minute is still open: its clicks may come for 10 more minutes
    // Event time 11 min 10 s on both logs passes the first minute's end + grace: it closes. (The
    // watermark is the slower log's: views alone at 11 min 10 s would leave it open, since clicks
    // for it could still come.)
    await views.pipeInput('e', view('e', 7, T0 + 11 * MIN + 10_000));
    expect(rows()).toEqual([]);
    await clicks.pipeInput('orphan2', click('orphan2', 'nope', T0 + 11 * MIN + 10_000));
    expect(rows()).toEqual([
      {
        key: `7@${T0}`,
        value: {
          campaign_id: 7,
          network_id: 3,
          campaign_name: 'Spring, Sale',
          minute_timestamp: T0,
          view_count: 3,
          clicked_view_count: 2,
          click_count: 3,
          ctr: 2 / 3,
        },
      },
      {
        key: `999@${T0}`,
        value: {
          campaign_id: 999,
          network_id: null,
          campaign_name: null,
          minute_timestamp: T0,
          view_count: 1,
          clicked_view_count: 1,
          click_count: 1,
          ctr: 1,
        },
      },
    ]);
    expect(stats.unknownCampaignRows).toBe(1);
    const dlq = (topic: string) =>
      driver
        .createOutputTopic(topic, Serdes.string(), Serdes.string())
        .readRecordsToList()
        .map((r) => [r.key, r.value, r.headers[DLQ_HEADERS.stage]]);
    expect(dlq('click_log-dlq')).toEqual([['bad', '{"click_id": "bad"}', 'deserialization']]);
    expect(dlq('view_log-dlq')).toEqual([['bad-view', '{"view_id": 1}', 'deserialization']]);
    // The quiet stream's last minute closes on the idle timeout.
    await driver.advanceWallClockTime(10_000);
    expect(rows()).toEqual([
      {
        key: `7@${T0 + 11 * MIN}`,
        value: expect.objectContaining({ view_count: 1, clicked_view_count: 0, click_count: 0, ctr: 0 }),
      },
    ]);
  });

  it('a click whose view arrives later still counts (the join buffers both sides)', async () => {
    const { driver, views, clicks, rows } = await driverFor();
    await clicks.pipeInput('x1', click('x1', 'x', T0 + 2 * MIN));
    await views.pipeInput('x', view('x', 7, T0 + 10_000));
    await driver.advanceWallClockTime(10_000);
    expect(rows().map((r) => [r.key, r.value.view_count, r.value.click_count, r.value.ctr])).toEqual([
      [`7@${T0}`, 1, 1, 1],
    ]);
  });

  it('routes events later than the minute grace to the late topic', async () => {
    const { driver, views, clicks } = await driverFor();
    await views.pipeInput('a', view('a', 7, T0 + 30 * MIN));
    await clicks.pipeInput('o', click('o', 'nope', T0 + 30 * MIN)); // both logs are at 30 min
    await views.pipeInput('old', view('old', 7, T0));
    const late = driver
      .createOutputTopic('campaign-ctr-late', Serdes.string(), Serdes.json<{ view_id: string }>())
      .readRecordsToList();
    expect(late.map((r) => r.value)).toEqual([
      { view_id: 'old', campaign_id: 7, view_start: T0, click_id: null },
    ]);
  });

  it('refuses a minute grace shorter than the click window', () => {
    expect(() =>
      buildCampaignCtrTopology({ output: { kind: 'topic', topic: 'rows' }, graceMs: 60_000 }),
    ).toThrow(/must be at least the click window/);
  });
});
