import { describe, expect, it } from 'vitest';
import { isTributaryError } from '../errors.js';
import { Serdes } from '../serde/serdes.js';
import { TopologyTestDriver } from '../testing/topology-test-driver.js';
import type { Windowed } from '../windowed.js';
import { SessionWindows } from './session-windows.js';
import { StreamsBuilder } from './streams-builder.js';

const S = 1_000;
const strings = { keySerde: Serdes.string(), valueSerde: Serdes.string() };

/** Session counts (gap 10 s, no grace) over two topics, rendered `key@start/end` -> count. */
function sessions(retentionMs?: number) {
  const b = new StreamsBuilder();
  const counted = b
    .stream<string, string>(['in', 'in2'], strings)
    .groupByKey()
    .windowedBy(SessionWindows.ofInactivityGapWithNoGrace(10 * S))
    .count({ name: 'sessions', ...(retentionMs === undefined ? {} : { retentionMs }) });
  counted
    .toStream()
    .map((w: Windowed<string>, n) => ({
      key: `${w.key}@${w.window.start}/${w.window.end}`,
      value: String(n),
    }))
    .to('out', strings);
  return b.build();
}

async function run(retentionMs?: number) {
  const driver = await TopologyTestDriver.create(sessions(retentionMs), { eventTime: 'watermark' });
  const fast = driver.createInputTopic('in', Serdes.string(), Serdes.string());
  const slow = driver.createInputTopic('in2', Serdes.string(), Serdes.string());
  // "in" is read far ahead of "in2": the watermark stays at in2's 0 s, so nothing is late, but the
  // store has seen a session end at 100 s.
  await slow.pipeInput('a', 'x', 0);
  await fast.pipeInput('b', 'x', 100 * S);
  await slow.pipeInput('a', 'x', 5 * S); // 5 s after a's first view: the same session
  await slow.pipeInput('a', 'x', 200 * S); // watermark 100 s: a's session closes
  const out = driver.createOutputTopic('out', Serdes.string(), Serdes.string()).readKeyValuesToList();
  await driver.close();
  return out;
}

describe('session store retention (retentionMs)', () => {
  it('default gap + grace, counted from the latest session end stored, hides a session the watermark still holds open', async () => {
    expect(await run()).toEqual([
      { key: 'a@0/0', value: '1' },
      { key: 'a@5000/5000', value: '1' },
    ]);
  });

  it('a longer retention keeps it visible, so the record joins it', async () => {
    expect(await run(3_600 * S)).toEqual([{ key: 'a@0/5000', value: '2' }]);
  });

  it('below gap + grace is a configuration error', () => {
    let err: unknown;
    try {
      sessions(9_999);
    } catch (e) {
      err = e;
    }
    expect(isTributaryError(err) && err.code).toBe('CONFIG_INVALID');
  });
});
