import { describe, expect, it } from 'vitest';
import { isTributaryError } from '../errors.js';
import { planInternalTopics } from '../internal/runtime/internal-topics.js';
import type { AdminPort } from '../kafka/ports.js';
import { Serdes } from '../serde/serdes.js';
import { InMemoryChangelog } from '../testing/in-memory-changelog.js';
import { TopologyTestDriver } from '../testing/topology-test-driver.js';
import { JoinWindows } from './join-windows.js';
import type { KStream } from './kstream.js';
import { StreamsBuilder } from './streams-builder.js';

const strings = { keySerde: Serdes.string(), valueSerde: Serdes.string() };
type Kind = 'join' | 'leftJoin' | 'outerJoin';
const show = (l: string | undefined, r: string | undefined, k: string) => `${k}:${l ?? '-'}+${r ?? '-'}`;

function topology(kind: Kind, windows: JoinWindows) {
  const b = new StreamsBuilder();
  const left = b.stream<string, string>('left', strings);
  const right = b.stream<string, string>('right', strings);
  const joined: KStream<string, string> =
    kind === 'join'
      ? left.join(right, show, windows, { name: 'j' })
      : kind === 'leftJoin'
        ? left.leftJoin(right, show, windows, { name: 'j' })
        : left.outerJoin(right, show, windows, { name: 'j' });
  joined.to('out', strings);
  return b.build();
}

async function drive(kind: Kind, windows: JoinWindows, changelog?: InMemoryChangelog) {
  // Kafka Streams' clock: these tests pin its semantics (stream-join-watermarks.test.ts: the default).
  const driver = await TopologyTestDriver.create(topology(kind, windows), {
    eventTime: 'stream-time',
    ...(changelog ? { changelog } : {}),
  });
  const left = driver.createInputTopic<string | null, string | null>(
    'left',
    Serdes.string(),
    Serdes.string(),
  );
  const right = driver.createInputTopic<string | null, string | null>(
    'right',
    Serdes.string(),
    Serdes.string(),
  );
  const out = driver.createOutputTopic('out', Serdes.string(), Serdes.string());
  const read = () => out.readRecordsToList().map((r) => [r.key, r.value, r.timestamp]);
  return { driver, left, right, read };
}

describe('stream-stream joins', () => {
  it('inner join: every pair within the window, stamped with the larger timestamp, duplicates kept', async () => {
    const { driver, left, right, read } = await drive('join', JoinWindows.ofTimeDifferenceWithNoGrace(100));
    await left.pipeInput('a', 'L1', 1_000);
    await left.pipeInput('a', 'L2', 1_000); // same key and timestamp: both are buffered
    await right.pipeInput('a', 'R1', 1_100); // at the window's edge
    await right.pipeInput('a', 'R2', 899); // just outside
    await right.pipeInput('b', 'R3', 1_000); // other key
    await left.pipeInput('a', 'L3', 1_150);
    expect(read()).toEqual([
      ['a', 'a:L1+R1', 1_100],
      ['a', 'a:L2+R1', 1_100],
      ['a', 'a:L3+R1', 1_150],
    ]);
    await driver.close();
  });

  it('left join: an unmatched record comes out once, when stream time passes ts + after + grace', async () => {
    const { driver, left, right, read } = await drive(
      'leftJoin',
      JoinWindows.ofTimeDifferenceAndGrace(100, 50),
    );
    await left.pipeInput('a', 'L1', 1_000);
    await left.pipeInput('b', 'L2', 1_150); // 1_000 + 150: still open
    expect(read()).toEqual([]);
    await left.pipeInput('c', 'L3', 1_151);
    expect(read()).toEqual([['a', 'a:L1+-', 1_000]]);
    await right.pipeInput('b', 'R1', 1_200); // joins L2, which then never comes out unmatched
    await left.pipeInput('z', 'L9', 2_000);
    expect(read()).toEqual([
      ['b', 'b:L2+R1', 1_200],
      ['c', 'c:L3+-', 1_151],
    ]);
    await left.pipeInput('d', 'L4', 1_500); // its window (1_600) is behind stream time: at once
    expect(read()).toEqual([['d', 'd:L4+-', 1_500]]);
    await driver.close();
  });

  it('outer join: unmatched records of both sides, by timestamp, right before left', async () => {
    const { driver, left, right, read } = await drive(
      'outerJoin',
      JoinWindows.ofTimeDifferenceWithNoGrace(10),
    );
    await left.pipeInput('a', 'L1', 1_000);
    await right.pipeInput('b', 'R1', 1_000);
    await right.pipeInput('c', 'R2', 995);
    await left.pipeInput('z', 'L2', 1_011);
    expect(read()).toEqual([
      ['c', 'c:-+R2', 995],
      ['b', 'b:-+R1', 1_000],
      ['a', 'a:L1+-', 1_000],
    ]);
    await driver.close();
  });

  it('null keys and values: skipped by inner joins, without an error; a null-key left record of a left join comes out at once', async () => {
    const inner = await drive('join', JoinWindows.ofTimeDifferenceWithNoGrace(100));
    await inner.left.pipeInput(null, 'L1', 1_000);
    await inner.left.pipeInput('a', null, 1_000);
    await inner.right.pipeInput('a', 'R1', 1_000);
    await inner.right.pipeInput(null, 'R2', 1_000);
    expect(inner.read()).toEqual([]);
    // Counted as skipped (one null value, two null keys), never as errors.
    expect(inner.driver.errorCounters()).toEqual({
      deserializationErrors: 0,
      processingErrors: 0,
      productionErrors: 0,
      deadLettered: 0,
      skipped: 0,
      skippedNullKeys: 2,
      skippedNullValues: 1,
    });
    await inner.driver.close();

    const leftJoin = await drive('leftJoin', JoinWindows.ofTimeDifferenceWithNoGrace(100));
    await leftJoin.left.pipeInput(null, 'L1', 1_000);
    await leftJoin.right.pipeInput(null, 'R1', 1_000);
    expect(leftJoin.read()).toEqual([[null, 'null:L1+-', 1_000]]);
    await leftJoin.driver.close();
  });

  it('restores both buffers and the outer store from the changelog', async () => {
    const changelog = new InMemoryChangelog();
    const windows = JoinWindows.ofTimeDifferenceAndGrace(100, 0);
    const first = await drive('leftJoin', windows, changelog);
    await first.left.pipeInput('a', 'L1', 1_000);
    await first.left.pipeInput('b', 'L2', 1_010);
    await first.right.pipeInput('c', 'R1', 1_020);
    expect(first.read()).toEqual([]);
    await first.driver.commit();
    await first.driver.close();

    const second = await drive('leftJoin', windows, changelog);
    await second.right.pipeInput('a', 'R2', 1_050); // joins L1, buffered before the restart
    await second.left.pipeInput('c', 'L3', 1_060); // joins R1, buffered on the other side
    await second.left.pipeInput('z', 'L4', 1_200); // closes L2's window: it waited in the outer store
    expect(second.read()).toEqual([
      ['a', 'a:L1+R2', 1_050],
      ['c', 'c:L3+R1', 1_060],
      ['b', 'b:L2+-', 1_010],
    ]);
    await second.driver.close();
  });

  it('repartitions after a key change, and describe() shows it', async () => {
    const b = new StreamsBuilder();
    const left = b.stream<string, string>('left', { ...strings, name: 'left-src' });
    const right = b.stream<string, string>('right', { ...strings, name: 'right-src' });
    left
      .selectKey((_k, v) => v.slice(0, 1), { name: 'rekey' })
      .join(right, (l, r) => `${l}+${r}`, JoinWindows.ofTimeDifferenceWithNoGrace(100), { name: 'j' })
      .to('out', { ...strings, name: 'to-out' });
    const t = b.build();
    const text = t.describe().toString();
    expect(text).toContain('Sink: j-left-repartition-sink (topic: <app>-j-left-repartition)');
    expect(text).toContain(
      'Processor: j-this-join (stream-stream-join-this; stores: [j-this-join-store, j-other-join-store])',
    );
    expect(text).not.toContain('j-right-repartition');
    expect(t.describe().toMermaid()).toContain('j-left-repartition');
    expect(t.subtopologies[1]?.copartitioned.map((g) => g.map((x) => x.name).sort())).toEqual([
      ['j-left', 'right'],
    ]);

    const driver = await TopologyTestDriver.create(t);
    await driver.createInputTopic('right', Serdes.string(), Serdes.string()).pipeInput('a', 'R1', 1_000);
    await driver.createInputTopic('left', Serdes.string(), Serdes.string()).pipeInput('x', 'aL1', 1_050);
    expect(driver.createOutputTopic('out', Serdes.string(), Serdes.string()).readKeyValuesToList()).toEqual([
      { key: 'a', value: 'aL1+R1' },
    ]);
    await driver.close();
  });

  it('co-partitioning: a mismatch fails naming both topics; a repartition topic takes the join partner count', async () => {
    const admin = (counts: Record<string, number>) =>
      ({ partitionCounts: async () => new Map(Object.entries(counts)) }) as unknown as AdminPort;
    const opts = { replicationFactor: 1, dlqTopics: [] };
    const err = await planInternalTopics(
      topology('join', JoinWindows.ofTimeDifferenceWithNoGrace(1)),
      'app',
      admin({ left: 2, right: 3 }),
      opts,
    ).catch((e: unknown) => e);
    expect(isTributaryError(err) && err.code).toBe('COPARTITION_MISMATCH');
    expect((err as Error).message).toBe('joined topics must have the same partition count: left=2, right=3');

    const b = new StreamsBuilder();
    b.stream<string, string>('left', strings)
      .selectKey((_k, v) => v)
      .join(
        b.stream<string, string>('right', strings),
        (l, r) => l + r,
        JoinWindows.ofTimeDifferenceWithNoGrace(1),
        { name: 'j' },
      )
      .to('out', strings);
    const plan = await planInternalTopics(b.build(), 'app', admin({ left: 2, right: 3 }), opts);
    expect(plan.toCreate.find((t) => t.name === 'app-j-left-repartition')?.partitions).toBe(3);
    expect([...plan.partitionsBySubtopology.values()]).toEqual([2, 3]);
  });

  it('validates windows and needs a name for its durable stores', () => {
    expect(() => JoinWindows.ofTimeDifferenceWithNoGrace(10).before(-11)).toThrow(/must not be negative/);
    expect(() => JoinWindows.ofTimeDifferenceAndGrace(10, -1)).toThrow(/grace/);
    const w = JoinWindows.ofTimeDifferenceAndGrace(10, 5).before(3).after(7);
    expect([w.beforeMs, w.afterMs, w.graceMs, w.sizeMs]).toEqual([3, 7, 5, 10]);
    const b = new StreamsBuilder();
    const s = b.stream<string, string>('left');
    expect(() =>
      s.join(b.stream<string, string>('right'), (l, r) => l + r, w, {} as { name: string }),
    ).toThrow(/needs an explicit name/);
    const noWindows = s as unknown as { join(o: unknown, j: unknown, opts: unknown): unknown };
    expect(() => noWindows.join(b.stream('right2'), () => 1, { name: 'j' })).toThrow(/needs JoinWindows/);
  });
});
