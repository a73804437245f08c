import { describe, expect, it } from 'vitest';
import { isTributaryError } from '../errors.js';
import { changelogTopicName } from '../internal/names.js';
import type { ErrorPolicy } from '../internal/runtime/error-policy.js';
import { Serdes } from '../serde/serdes.js';
import { InMemoryChangelog } from '../testing/in-memory-changelog.js';
import { TopologyTestDriver } from '../testing/topology-test-driver.js';
import { StreamsBuilder } from './streams-builder.js';
import { BufferConfig, Suppressed } from './suppressed.js';
import { TimeWindows } from './windows.js';

const strings = { keySerde: Serdes.string(), valueSerde: Serdes.string() };

/** Tumbling 10 s windows, grace 2 s, counted and suppressed until they close; keys as key@start/end. */
function finalCounts(buffer = BufferConfig.unbounded()) {
  const b = new StreamsBuilder();
  b.stream<string, string>('in', strings)
    .groupByKey()
    .windowedBy(TimeWindows.ofSizeAndGrace(10_000, 2_000))
    .count({ name: 'counts' })
    .suppress(Suppressed.untilWindowCloses(buffer).withName('final'))
    .toStream()
    .map((w, n) => ({ key: `${w.key}@${w.window.start}/${w.window.end}`, value: String(n) }))
    .to('out', strings);
  return b.build();
}

/** A table of strings, suppressed for 5 s per key. */
function limitedTable(buffer: BufferConfig = BufferConfig.unbounded()) {
  const b = new StreamsBuilder();
  b.table<string, string>('in', { name: 'tbl', ...strings })
    .suppress(Suppressed.untilTimeLimit(5_000, buffer).withName('sup'))
    .toStream()
    .to('out', strings);
  return b.build();
}

async function drive(
  topology: ReturnType<typeof finalCounts>,
  opts: { changelog?: InMemoryChangelog; errorPolicy?: ErrorPolicy } = {},
) {
  const driver = await TopologyTestDriver.create(topology, { applicationId: 'app', ...opts });
  const input = driver.createInputTopic<string, string | null>('in', Serdes.string(), Serdes.string());
  const out = driver.createOutputTopic('out', Serdes.string(), Serdes.string());
  const read = () => out.readRecordsToList().map((r) => [r.key, r.value, r.timestamp]);
  return { driver, input, read };
}

describe('KTable.suppress', () => {
  it('untilWindowCloses: nothing before end + grace, then one result per window with its last timestamp', async () => {
    const { input, read } = await drive(finalCounts());
    await input.pipeInput('a', 'x', 1_000);
    await input.pipeInput('a', 'x', 9_999);
    await input.pipeInput('b', 'x', 4_000);
    await input.pipeInput('a', 'x', 11_999); // stream time 11.999 s: [0, 10 s) still open in grace
    expect(read()).toEqual([]);
    await input.pipeInput('a', 'x', 3_000); // in grace: counted, and the result keeps 9.999 s
    await input.pipeInput('c', 'x', 12_000);
    expect(read()).toEqual([
      ['a@0/10000', '3', 9_999],
      ['b@0/10000', '1', 4_000],
    ]);
    await input.pipeInput('a', 'x', 5_000); // late: dropped by the aggregation, never reaches the buffer
    await input.pipeInput('d', 'x', 22_000);
    expect(read()).toEqual([
      ['a@10000/20000', '1', 11_999],
      ['c@10000/20000', '1', 12_000],
    ]);
  });

  it('untilWindowCloses: buffered windows survive a restart through the buffer changelog', async () => {
    const changelog = new InMemoryChangelog();
    const first = await drive(finalCounts(), { changelog });
    await first.input.pipeInput('a', 'x', 1_000);
    await first.input.pipeInput('a', 'x', 2_000);
    await first.input.pipeInput('b', 'x', 8_000);
    await first.driver.commit();
    await first.driver.close();
    expect(first.read()).toEqual([]);
    expect(changelog.compacted(changelogTopicName('app', 'final-store'), 0).size).toBe(2);

    const second = await drive(finalCounts(), { changelog });
    await second.input.pipeInput('a', 'x', 9_000); // updates the restored window and its buffered entry
    await second.input.pipeInput('c', 'x', 12_000);
    expect(second.read()).toEqual([
      ['a@0/10000', '3', 9_000],
      ['b@0/10000', '1', 8_000],
    ]);
    await second.driver.commit();
    // Emitted keys leave the buffer: their changelog entries are tombstones, only c's window is left.
    expect([...changelog.compacted(changelogTopicName('app', 'final-store'), 0).keys()]).toHaveLength(1);
  });

  it('untilTimeLimit: latest value per key once stream time reaches first-buffered time + limit', async () => {
    const { input, read } = await drive(limitedTable());
    await input.pipeInput('a', 'a1', 1_000);
    await input.pipeInput('a', 'a2', 4_000); // keeps a's buffer time 1 s
    await input.pipeInput('b', 'b1', 5_999);
    expect(read()).toEqual([]);
    await input.pipeInput('c', 'c1', 6_000);
    expect(read()).toEqual([['a', 'a2', 4_000]]);
    await input.pipeInput('b', null, 7_000); // a tombstone passes through a time limit
    await input.pipeInput('d', 'd1', 11_000);
    expect(read()).toEqual([
      ['b', null, 7_000],
      ['c', 'c1', 6_000],
    ]);
  });

  it('untilTimeLimit: the buffer and its first-buffered times are restored into a new driver', async () => {
    const changelog = new InMemoryChangelog();
    const first = await drive(limitedTable(), { changelog });
    await first.input.pipeInput('a', 'a1', 1_000);
    await first.input.pipeInput('b', 'b1', 3_000);
    await first.driver.commit();
    await first.driver.close();

    const second = await drive(limitedTable(), { changelog });
    await second.input.pipeInput('a', 'a2', 5_000); // a keeps its restored buffer time 1 s
    await second.input.pipeInput('c', 'c1', 6_000);
    expect(second.read()).toEqual([['a', 'a2', 5_000]]);
    await second.input.pipeInput('d', 'd1', 8_000);
    expect(second.read()).toEqual([['b', 'b1', 3_000]]);
  });

  it('maxRecords emits the oldest keys early; shutDownWhenFull fails the task whatever the error policy', async () => {
    const early = await drive(limitedTable(BufferConfig.maxRecords(2)));
    await early.input.pipeInput('a', 'a1', 1_000);
    await early.input.pipeInput('b', 'b1', 2_000);
    await early.input.pipeInput('c', 'c1', 500);
    expect(early.read()).toEqual([['c', 'c1', 500]]);

    const strict = await drive(limitedTable(BufferConfig.maxRecords(2).shutDownWhenFull()), {
      errorPolicy: { mode: 'continue' },
    });
    await strict.input.pipeInput('a', 'a1', 1_000);
    await strict.input.pipeInput('b', 'b1', 2_000);
    const err = await strict.input.pipeInput('c', 'c1', 3_000).catch((e: unknown) => e);
    expect(isTributaryError(err, 'SUPPRESS_BUFFER_FULL')).toBe(true);
  });

  it('withLoggingDisabled keeps the buffer off the changelog', async () => {
    const changelog = new InMemoryChangelog();
    const { input, driver } = await drive(limitedTable(BufferConfig.unbounded().withLoggingDisabled()), {
      changelog,
    });
    await input.pipeInput('a', 'a1', 1_000);
    await driver.commit();
    expect(changelog.compacted(changelogTopicName('app', 'sup-store'), 0).size).toBe(0);
    expect(changelog.compacted(changelogTopicName('app', 'tbl'), 0).size).toBe(1);
  });

  it("a join reads the suppressed table's value from before the buffered update", async () => {
    const b = new StreamsBuilder();
    const users = b
      .table<string, string>('users', { name: 'users', ...strings })
      .suppress(Suppressed.untilTimeLimit(10_000, BufferConfig.unbounded()).withName('sup'));
    b.stream<string, string>('clicks', strings)
      .leftJoin(users, (click, user) => `${user ?? '-'}:${click}`)
      .to('out', strings);
    // Kafka Streams' clock: the suppressed table's time comes from its own records. (Under watermarks
    // the table topic does not move the clock; the clicks stream does.)
    const driver = await TopologyTestDriver.create(b.build(), { eventTime: 'stream-time' });
    const usersIn = driver.createInputTopic('users', Serdes.string(), Serdes.string());
    const clicks = driver.createInputTopic('clicks', Serdes.string(), Serdes.string());
    await usersIn.pipeInput('u', 'ann', 1_000);
    await clicks.pipeInput('u', 'home', 2_000); // ann is still buffered: the suppressed table has no u yet
    await usersIn.pipeInput('v', 'bob', 12_000); // stream time 12 s: ann is emitted, bob buffered
    await clicks.pipeInput('u', 'cart', 12_500);
    await clicks.pipeInput('v', 'cart', 12_600);
    const out = driver.createOutputTopic('out', Serdes.string(), Serdes.string());
    expect(out.readKeyValuesToList()).toEqual([
      { key: 'u', value: '-:home' },
      { key: 'u', value: 'ann:cart' },
      { key: 'v', value: '-:cart' },
    ]);
  });

  it('rejects a suppress without a name, untilWindowCloses off a windowed table, and emit final twice', () => {
    const b = new StreamsBuilder();
    const table = b.table<string, string>('in', { name: 'tbl', ...strings });
    const code = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return isTributaryError(e) ? e.code : String(e);
      }
      return 'no error';
    };
    expect(code(() => table.suppress(Suppressed.untilTimeLimit(1_000, BufferConfig.unbounded())))).toBe(
      'TOPOLOGY_NAME_MISSING',
    );
    expect(
      code(() => table.suppress(Suppressed.untilWindowCloses(BufferConfig.unbounded()).withName('f'))),
    ).toBe('TOPOLOGY_INVALID');
    const windowed = b
      .stream<string, string>('s', strings)
      .groupByKey()
      .windowedBy(TimeWindows.ofSizeWithNoGrace(1_000))
      .count({ name: 'c', emit: 'final' });
    expect(
      code(() => windowed.suppress(Suppressed.untilWindowCloses(BufferConfig.unbounded()).withName('f2'))),
    ).toBe('TOPOLOGY_INVALID');
    expect(code(() => BufferConfig.maxRecords(-1))).toBe('CONFIG_INVALID');
    expect(code(() => Suppressed.untilTimeLimit(-5, BufferConfig.unbounded()))).toBe('CONFIG_INVALID');
  });
});
