import { describe, expect, it } from 'vitest';
import { Serdes } from '../serde/serdes.js';
import { InMemoryChangelog } from '../testing/in-memory-changelog.js';
import { TopologyTestDriver } from '../testing/topology-test-driver.js';
import { SessionWindows } from './session-windows.js';
import { StreamsBuilder } from './streams-builder.js';

const strings = { keySerde: Serdes.string(), valueSerde: Serdes.string() };

/** A session count (gap 5 s, grace 2 s) rendered as `key@start/end` -> count, plus its late records. */
function sessionCount(emit: 'final' | 'update', idleTimeoutMs?: number) {
  const b = new StreamsBuilder();
  const counted = b
    .stream<string, string>('in', strings)
    .groupByKey()
    .windowedBy(SessionWindows.ofInactivityGapAndGrace(5_000, 2_000))
    .count({ name: 'sessions', emit, ...(idleTimeoutMs === undefined ? {} : { idleTimeoutMs }) });
  counted
    .toStream()
    .map((w, n) => ({
      key: `${w.key}@${w.window.start}/${w.window.end}`,
      value: n === null ? null : String(n),
    }))
    .to('out', strings);
  counted.lateRecords().to('late', strings as never);
  return b.build();
}

async function drive(emit: 'final' | 'update', changelog?: InMemoryChangelog, idleTimeoutMs?: number) {
  const driver = await TopologyTestDriver.create(sessionCount(emit, idleTimeoutMs), {
    initialWallClockMs: 0,
    ...(changelog ? { changelog } : {}),
  });
  const input = driver.createInputTopic('in', Serdes.string(), Serdes.string());
  const out = driver.createOutputTopic('out', Serdes.string(), Serdes.string());
  const late = driver.createOutputTopic('late', Serdes.string(), Serdes.string());
  const read = () => out.readRecordsToList().map((r) => [r.key, r.value, r.timestamp]);
  const readLate = () => late.readRecordsToList().map((r) => [r.key, r.value, r.timestamp]);
  return { driver, input, read, readLate };
}

describe('session windows', () => {
  it('a record bridging two sessions merges them: tombstones for both, then the merged session', async () => {
    const { input, read } = await drive('update');
    await input.pipeInput('a', 'x', 1_000);
    await input.pipeInput('a', 'x', 5_000);
    await input.pipeInput('a', 'x', 11_000);
    expect(read()).toEqual([
      ['a@1000/1000', '1', 1_000],
      ['a@1000/1000', null, 1_000],
      ['a@1000/5000', '2', 5_000],
      ['a@11000/11000', '1', 11_000],
    ]);
    await input.pipeInput('a', 'bridge', 8_000); // within 5 s of both sessions
    expect(read()).toEqual([
      ['a@1000/5000', null, 5_000],
      ['a@11000/11000', null, 11_000],
      ['a@1000/11000', '4', 11_000],
    ]);
  });

  it('skips null keys and counts null values', async () => {
    const { driver, input, read } = await drive('update');
    await input.pipeInput(null as never, 'x', 1_000);
    await input.pipeInput('a', null as never, 1_000);
    expect(read()).toEqual([['a@1000/1000', '1', 1_000]]);
    await driver.close();
  });

  it('grace boundary: a session ending at stream time - grace - gap is accepted, 1 ms earlier is late', async () => {
    const { input, read, readLate } = await drive('update');
    await input.pipeInput('a', 'x', 20_000);
    await input.pipeInput('b', 'at-limit', 13_000);
    await input.pipeInput('c', 'past-limit', 12_999);
    expect(read()).toEqual([
      ['a@20000/20000', '1', 20_000],
      ['b@13000/13000', '1', 13_000],
    ]);
    expect(readLate()).toEqual([['c', 'past-limit', 12_999]]);
  });

  it('emit final: one result per session once stream time passes end + gap + grace', async () => {
    const { input, read, readLate } = await drive('final');
    await input.pipeInput('a', 'x', 1_000);
    await input.pipeInput('a', 'x', 3_000);
    await input.pipeInput('b', 'x', 4_000);
    await input.pipeInput('a', 'x', 10_000); // close time 3 s: nothing closed yet
    expect(read()).toEqual([]);
    await input.pipeInput('c', 'x', 10_001); // close time 3.001 s: a@1000/3000 closed
    expect(read()).toEqual([['a@1000/3000', '2', 3_000]]);
    await input.pipeInput('c', 'x', 11_001);
    expect(read()).toEqual([['b@4000/4000', '1', 4_000]]);
    await input.pipeInput('a', 'late', 2_000);
    expect(readLate()).toEqual([['a', 'late', 2_000]]);
    expect(read()).toEqual([]);
  });

  it('idle close emits the open sessions of a stream that went quiet', async () => {
    const { driver, input, read } = await drive('final', undefined, 1_000);
    await input.pipeInput('a', 'x', 1_000);
    await driver.advanceWallClockTime(2_000);
    expect(read()).toEqual([['a@1000/1000', '1', 1_000]]);
  });

  it('restores sessions and stream time from the changelog: a new driver continues them', async () => {
    const changelog = new InMemoryChangelog();
    const first = await drive('final', changelog);
    await first.input.pipeInput('a', 'x', 1_000);
    await first.input.pipeInput('a', 'x', 3_000);
    await first.input.pipeInput('b', 'x', 9_000);
    await first.driver.commit();
    await first.driver.close();
    expect(first.read()).toEqual([]);

    const second = await drive('final', changelog);
    await second.input.pipeInput('a', 'x', 6_000); // merges with the restored a@1000/3000
    await second.input.pipeInput('b', 'x', 13_001); // stream time 13.001 s: closes sessions ending before 6.001 s
    expect(second.read()).toEqual([['a@1000/6000', '3', 6_000]]);
    await second.input.pipeInput('c', 'old', 5_000); // late against the restored stream time
    expect(second.readLate()).toEqual([['c', 'old', 5_000]]);
  });
});
