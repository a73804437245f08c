import { DLQ_HEADERS, Serdes } from '@tributary/core';
import { TopologyTestDriver } from '@tributary/core/testing';
import { describe, expect, it } from 'vitest';
import { buildCampaignViewsTopology, type CampaignMinute } from './topology.js';

const T0 = Date.UTC(2025, 10, 6, 12, 30, 0);
const view = (id: string, campaign: number, startOffsetS: number, durationS: number) =>
  JSON.stringify({
    view_id: id,
    start_timestamp: T0 + startOffsetS * 1000,
    end_timestamp: T0 + (startOffsetS + durationS) * 1000,
    banner_id: 1,
    campaign_id: campaign,
  });

describe('campaign-views topology (driver)', () => {
  it('emits one final row per campaign and minute, joined with the campaign, unknown campaigns kept with nulls', async () => {
    const stats = { unknownCampaignRows: 0 };
    const topology = buildCampaignViewsTopology({
      output: { kind: 'topic', topic: 'rows' },
      graceMs: 5_000,
      idleTimeoutMs: 10_000,
      stats,
    });
    const driver = await TopologyTestDriver.create(topology, {
      errorPolicy: { mode: 'dead-letter', topic: 'view_log-dlq' },
    });
    await driver
      .createInputTopic('campaigns')
      .pipeInput('7', { network_id: 3, campaign_id: 7, campaign_name: 'Spring, Sale' });
    const views = driver.createInputTopic('view_log', Serdes.string(), Serdes.string());
    await views.pipeInput('a', view('a', 7, 1, 10));
    await views.pipeInput('b', view('b', 7, 30, 20));
    await views.pipeInput('c', view('c', 999, 59, 5)); // campaign not in the table
    await views.pipeInput('bad', '{"view_id": 1}');
    await views.pipeInput('d', view('d', 7, 62, 4)); // next minute
    await views.pipeInput('e', view('e', 7, 58, 8)); // out of order, within grace
    await views.pipeInput('f', view('f', 7, 66, 2)); // stream time 66s >= 60s + 5s grace: first minute closes
    const rows = driver.createOutputTopic<string, CampaignMinute>('rows').readKeyValuesToList();
    expect(rows).toEqual([
      {
        key: `7@${T0}`,
        value: {
          campaign_id: 7,
          network_id: 3,
          campaign_name: 'Spring, Sale',
          minute_timestamp: T0,
          view_count: 3,
          avg_duration: (10 + 20 + 8) / 3,
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
          avg_duration: 5,
        },
      },
    ]);
    expect(stats.unknownCampaignRows).toBe(1);
    const dlq = driver
      .createOutputTopic('view_log-dlq', Serdes.string(), Serdes.string())
      .readRecordsToList();
    expect(dlq.map((r) => [r.key, r.value, r.headers[DLQ_HEADERS.stage]])).toEqual([
      ['bad', '{"view_id": 1}', 'deserialization'],
    ]);
    // The quiet stream's last minute closes on the idle timeout.
    await driver.advanceWallClockTime(10_000);
    expect(driver.createOutputTopic<string, CampaignMinute>('rows').readValue()).toMatchObject({
      minute_timestamp: T0 + 60_000,
      view_count: 2,
      avg_duration: 3,
    });
  });

  it('routes views later than the grace period to the late topic', async () => {
    const topology = buildCampaignViewsTopology({ output: { kind: 'topic', topic: 'rows' }, graceMs: 0 });
    const driver = await TopologyTestDriver.create(topology);
    const views = driver.createInputTopic('view_log', Serdes.string(), Serdes.string());
    await views.pipeInput('a', view('a', 7, 120, 1));
    await views.pipeInput('late', view('late', 7, 5, 1));
    const late = driver
      .createOutputTopic('view_log-late', Serdes.string(), Serdes.json<{ view_id: string }>())
      .readRecordsToList();
    expect(late.map((r) => r.value.view_id)).toEqual(['late']);
  });
});
