import { describe, expect, it } from 'vitest';
import { StreamsBuilder } from '../../kstream/streams-builder.js';
import { TimeWindows } from '../../kstream/windows.js';
import type { Sink } from '../../sink/sink.js';

function campaignLike() {
  const b = new StreamsBuilder();
  const campaigns = b.globalTable('campaigns', { name: 'campaigns' });
  b.stream<string, { campaign_id: number }>('view_log', { name: 'views' })
    .selectKey((_k, v) => v.campaign_id, { name: 'by-campaign' })
    .groupByKey()
    .windowedBy(TimeWindows.ofSizeAndGrace(60_000, 5_000))
    .count({ name: 'views-per-minute' })
    .toStream({ name: 'results' })
    .joinGlobal(
      campaigns,
      (w) => String(w.key),
      (n, c) => ({ n, c }),
      { name: 'with-campaign' },
    )
    .to('out', { name: 'to-out' });
  return b.build();
}

describe('topology.describe()', () => {
  it('prints a stable text form with sub-topologies, repartition topics and stores', () => {
    const text = campaignLike().describe().toString();
    expect(text).toBe(campaignLike().describe().toString());
    expect(text).toMatchInlineSnapshot(`
      "Topologies:
        Sub-topology: 0
          Source: views (topics: [view_log])
            --> by-campaign
          Processor: by-campaign (selectKey; stores: [])
            --> views-per-minute-repartition-sink
            <-- views
          Sink: views-per-minute-repartition-sink (topic: <app>-views-per-minute-repartition)
            <-- by-campaign
        Sub-topology: 1
          Source: views-per-minute-repartition-source (topics: [<app>-views-per-minute-repartition])
            --> views-per-minute-window-aggregate
          Processor: views-per-minute-window-aggregate (window-aggregate; stores: [views-per-minute, views-per-minute-meta])
            --> views-per-minute-results, views-per-minute-late
            <-- views-per-minute-repartition-source
          Processor: views-per-minute-results (window-results; stores: [])
            --> results
            <-- views-per-minute-window-aggregate
          Processor: results (to-stream; stores: [])
            --> with-campaign
            <-- views-per-minute-results
          Processor: with-campaign (stream-global-join; stores: [campaigns])
            --> to-out
            <-- results
          Sink: to-out (topic: out)
            <-- with-campaign
          Processor: views-per-minute-late (late-records; stores: [])
            <-- views-per-minute-window-aggregate
        Global store: campaigns (topic: campaigns)
      "
    `);
  });

  it('renders Mermaid with one subgraph per sub-topology', () => {
    const m = campaignLike().describe().toMermaid();
    expect(m.startsWith('flowchart TD')).toBe(true);
    expect(m).toContain('subgraph sub0["Sub-topology 0"]');
    expect(m).toContain('subgraph sub1["Sub-topology 1"]');
    expect(m).toContain('t_view_log --> views');
    expect(m).toContain('views_per_minute_repartition_sink --> t__app__views_per_minute_repartition');
  });

  it('prints a Sink outside Kafka as an ExternalSink node, whatever the sink writes to', () => {
    const consoleSink: Sink<string, string> = {
      name: 'console',
      describe: () => 'console:table',
      openTask: () => Promise.reject(new Error('not opened by describe()')),
    };
    const b = new StreamsBuilder();
    b.stream<string, string>('in', { name: 'in' }).sink(consoleSink, { name: 'to-console' });
    const topology = b.build();
    expect(topology.subtopologies[0]?.nodes.map((n) => n.kind)).toEqual(['source', 'external-sink']);
    expect(topology.describe().toString()).toContain('ExternalSink: to-console (console:table)');
  });
});
