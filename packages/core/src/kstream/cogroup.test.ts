import { describe, expect, it } from 'vitest';
import { isTributaryError } from '../errors.js';
import { changelogTopicName } from '../internal/names.js';
import type { EventTimeMode } from '../processor/processor.js';
import { Serdes } from '../serde/serdes.js';
import { InMemoryChangelog } from '../testing/in-memory-changelog.js';
import { TopologyTestDriver } from '../testing/topology-test-driver.js';
import { StreamsBuilder } from './streams-builder.js';
import { BufferConfig, Suppressed } from './suppressed.js';
import { TimeWindows } from './windows.js';

const strings = { keySerde: Serdes.string(), valueSerde: Serdes.string() };
const numbers = { keySerde: Serdes.string(), valueSerde: Serdes.json<number>() };

interface Totals {
  readonly clicks: number;
  readonly spent: number;
}

/** Clicks (strings) and purchases (amounts) per user into one Totals aggregate. */
function totals(b: StreamsBuilder) {
  const clicks = b.stream<string, string>('clicks', strings).groupByKey();
  const purchases = b.stream<string, number>('purchases', numbers).groupByKey();
  return clicks
    .cogroup<Totals>((_k, _page, t) => ({ ...t, clicks: t.clicks + 1 }))
    .cogroup(purchases, (_k, amount, t) => ({ ...t, spent: t.spent + amount }));
}

const zero = (): Totals => ({ clicks: 0, spent: 0 });

async function drive(
  topology: ReturnType<StreamsBuilder['build']>,
  changelog?: InMemoryChangelog,
  // Kafka Streams' clock by default: these tests pin its semantics (the last one: watermarks).
  eventTime: EventTimeMode = 'stream-time',
) {
  const driver = await TopologyTestDriver.create(topology, {
    applicationId: 'app',
    eventTime,
    ...(changelog ? { changelog } : {}),
  });
  const clicks = driver.createInputTopic<string | null, string | null>(
    'clicks',
    Serdes.string(),
    Serdes.string(),
  );
  const purchases = driver.createInputTopic<string, number | null>(
    'purchases',
    Serdes.string(),
    Serdes.json(),
  );
  const out = driver.createOutputTopic('out', Serdes.string(), Serdes.string());
  const late = driver.createOutputTopic('late', Serdes.string(), Serdes.json<unknown>());
  const read = () => out.readRecordsToList().map((r) => [r.key, r.value, r.timestamp]);
  const readLate = () => late.readRecordsToList().map((r) => [r.key, r.value, r.timestamp]);
  return { driver, clicks, purchases, read, readLate };
}

function plainTotals() {
  const b = new StreamsBuilder();
  totals(b)
    .aggregate(zero, { name: 'totals' })
    .toStream()
    .mapValues((t) => `${t.clicks}/${t.spent}`)
    .to('out', strings);
  return b.build();
}

describe('cogroup', () => {
  it('aggregates streams of different value types into one store; null keys and values are skipped', async () => {
    const { clicks, purchases, read } = await drive(plainTotals());
    await clicks.pipeInput('u', 'home', 1_000);
    await purchases.pipeInput('u', 30, 2_000);
    await clicks.pipeInput(null, 'home', 2_500);
    await purchases.pipeInput('u', null, 2_600);
    await clicks.pipeInput('v', 'cart', 3_000);
    await purchases.pipeInput('u', 12, 4_000);
    expect(read()).toEqual([
      ['u', '1/0', 1_000],
      ['u', '1/30', 2_000],
      ['v', '1/0', 3_000],
      ['u', '1/42', 4_000],
    ]);
  });

  it('keeps one changelogged store: a new driver continues the aggregate', async () => {
    const changelog = new InMemoryChangelog();
    const first = await drive(plainTotals(), changelog);
    await first.clicks.pipeInput('u', 'home', 1_000);
    await first.purchases.pipeInput('u', 5, 2_000);
    await first.driver.commit();
    await first.driver.close();
    expect(changelog.compacted(changelogTopicName('app', 'totals'), 0).size).toBe(1);

    const second = await drive(plainTotals(), changelog);
    await second.purchases.pipeInput('u', 7, 3_000);
    expect(second.read()).toEqual([['u', '1/12', 3_000]]);
  });

  it('repartitions each re-keyed input through its own topic; the inputs are co-partitioned', () => {
    const b = new StreamsBuilder();
    const byPage = b
      .stream<string, string>('clicks', strings)
      .selectKey((_k, page) => page)
      .groupByKey(strings);
    const byItem = b
      .stream<string, string>('views', strings)
      .selectKey((_k, item) => item)
      .groupByKey(strings);
    byPage
      .cogroup<number>((_k, _v, n) => n + 1)
      .cogroup(byItem, (_k, _v, n) => n + 10)
      .aggregate(() => 0, { name: 'hits' });
    const topology = b.build();
    expect(topology.repartitionTopics.map((t) => t.name)).toEqual(['hits', 'hits-1']);
    // Both feed one aggregate, so they are co-partitioned (each takes the same partition count).
    const aggregate = topology.subtopologies.find((st) => st.stores.some((s) => s.name === 'hits'));
    expect(aggregate?.copartitioned.map((g) => g.map((t) => t.name).sort())).toEqual([['hits', 'hits-1']]);
  });

  it('windowed (emit final by default): one result per window from both streams; late records keep their own values', async () => {
    const b = new StreamsBuilder();
    const windowed = totals(b)
      .windowedBy(TimeWindows.ofSizeWithNoGrace(10_000))
      .aggregate(zero, { name: 'wt' });
    windowed
      .toStream()
      .map((w, t) => ({ key: `${w.key}@${w.window.start}`, value: `${t.clicks}/${t.spent}` }))
      .to('out', strings);
    windowed.lateRecords().to('late', { keySerde: Serdes.string(), valueSerde: Serdes.json<unknown>() });
    const { clicks, purchases, read, readLate } = await drive(b.build());
    await clicks.pipeInput('u', 'home', 1_000);
    await purchases.pipeInput('u', 30, 9_000);
    await purchases.pipeInput('u', null, 9_500); // reaches the aggregator, as in Kafka Streams (30 + null is 30)
    await clicks.pipeInput('u', 'cart', 25_000);
    // One stream time for the whole cogroup: a purchase at 5 s is late after a click at 25 s.
    await purchases.pipeInput('u', 99, 5_000);
    expect(read()).toEqual([['u@0', '1/30', 9_500]]); // the window's largest record timestamp
    expect(readLate()).toEqual([['u', 99, 5_000]]);
  });

  it('a windowed cogroup can be suppressed until its windows close', async () => {
    const b = new StreamsBuilder();
    totals(b)
      .windowedBy(TimeWindows.ofSizeAndGrace(10_000, 1_000))
      .aggregate(zero, { name: 'wt' })
      .suppress(Suppressed.untilWindowCloses(BufferConfig.unbounded()).withName('final'))
      .toStream()
      .map((w, t) => ({ key: `${w.key}@${w.window.start}`, value: `${t.clicks}/${t.spent}` }))
      .to('out', strings);
    const { clicks, purchases, read } = await drive(b.build());
    await clicks.pipeInput('u', 'home', 1_000);
    await purchases.pipeInput('u', 4, 8_000);
    await clicks.pipeInput('v', 'home', 10_999);
    expect(read()).toEqual([]);
    await purchases.pipeInput('v', 1, 11_000);
    expect(read()).toEqual([['u@0', '1/4', 8_000]]);
  });

  it('under watermarks the slower input holds the clock: a purchase at 5 s after a click at 25 s is on time', async () => {
    const b = new StreamsBuilder();
    const windowed = totals(b)
      .windowedBy(TimeWindows.ofSizeWithNoGrace(10_000))
      .aggregate(zero, { name: 'wt' });
    windowed
      .toStream()
      .map((w, t) => ({ key: `${w.key}@${w.window.start}`, value: `${t.clicks}/${t.spent}` }))
      .to('out', strings);
    windowed.lateRecords().to('late', { keySerde: Serdes.string(), valueSerde: Serdes.json<unknown>() });
    const { clicks, purchases, read, readLate } = await drive(b.build(), undefined, 'watermark');
    await clicks.pipeInput('u', 'home', 1_000);
    await purchases.pipeInput('u', 30, 9_000);
    await clicks.pipeInput('u', 'cart', 25_000); // watermark min(25 s, 9 s) = 9 s
    await purchases.pipeInput('u', 99, 5_000);
    expect(read()).toEqual([]);
    await purchases.pipeInput('u', 1, 21_000); // watermark 21 s: [0, 10 s) and [10 s, 20 s) close
    expect(read()).toEqual([['u@0', '1/129', 9_000]]);
    expect(readLate()).toEqual([]);
  });

  it('rejects the same grouped stream twice', () => {
    const b = new StreamsBuilder();
    const g = b.stream<string, string>('clicks', strings).groupByKey();
    let err: unknown;
    try {
      g.cogroup<number>((_k, _v, n) => n + 1).cogroup(g, (_k, _v, n) => n + 2);
    } catch (e) {
      err = e;
    }
    expect(isTributaryError(err, 'TOPOLOGY_INVALID')).toBe(true);
  });
});
