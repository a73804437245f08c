/**
 * The Tributary side of the stream-stream join rows: views and clicks validated in their source
 * serdes (invalid -> DLQ by the error policy), both re-keyed by view_id (two repartition topics),
 * an inner join of a click to its view within [view, view + 10 min], one JSON pair per match. The
 * Kafka Streams peer (bench/peers/kafka-streams, --mode=join) builds the same topology.
 */
import { type Click, clickSerde, viewSerde } from '@tributary/app-campaign-ctr';
import type { View } from '@tributary/app-campaign-views';
import { JoinWindows, Serdes, StreamsBuilder, type Topology } from '@tributary/core';

export function joinTopology(o: {
  viewTopic: string;
  clickTopic: string;
  output: string;
  clickWindowMs: number;
  graceMs: number;
}): Topology {
  const b = new StreamsBuilder();
  const views = b
    .stream<string | null, View>(o.viewTopic, {
      valueSerde: viewSerde,
      timestampExtractor: (r) => r.value.start,
      name: 'view-log',
    })
    .selectKey((_k, v) => v.view_id, { name: 'views-by-view-id' });
  const clicks = b
    .stream<string | null, Click>(o.clickTopic, {
      valueSerde: clickSerde,
      timestampExtractor: (r) => r.value.ts,
      name: 'click-log',
    })
    .selectKey((_k, c) => c.view_id, { name: 'clicks-by-view-id' });
  views
    .join(
      clicks,
      (v: View, c: Click) => ({
        view_id: v.view_id,
        click_id: c.click_id,
        campaign_id: v.campaign_id,
        view_start: v.start,
        click_ts: c.ts,
      }),
      JoinWindows.ofTimeDifferenceAndGrace(o.clickWindowMs, o.graceMs).before(0),
      {
        name: 'views-clicks',
        keySerde: Serdes.string(),
        valueSerde: Serdes.msgpack<View>(),
        otherValueSerde: Serdes.msgpack<Click>(),
      },
    )
    .to(o.output, { name: 'to-output-topic', keySerde: Serdes.string(), valueSerde: Serdes.json() });
  return b.build();
}
