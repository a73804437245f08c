import { describe, expect, it } from 'vitest';
import type { Clock } from '../../clock.js';
import type { OutgoingRecord, RawRecord } from '../../kafka/ports.js';
import { StreamsBuilder } from '../../kstream/streams-builder.js';
import { silentLogger } from '../../logger.js';
import { Serdes } from '../../serde/serdes.js';
import type { Subtopology } from '../graph/topology.js';
import { resolveRecordLimits } from './record-limits.js';
import { StreamTask } from './stream-task.js';

const NOW = Date.UTC(2026, 0, 1);
const HOUR = 3_600_000;

/** in (JSON {pad}) -> pad the value -> repartition 'spread' -> out: sub-topology 0 is what this runs. */
function firstSubtopology(): Subtopology {
  const b = new StreamsBuilder();
  b.stream<string, { pad: number }>('in', { valueSerde: Serdes.json() })
    .mapValues((v) => ({ padding: 'x'.repeat(v.pad) }))
    .repartition({ name: 'spread', valueSerde: Serdes.json() })
    .to('out', { valueSerde: Serdes.json() });
  return b.build().subtopologies[0] as Subtopology;
}

async function task(clock: Clock, opts: { stampStepMs?: number; maxRecordBytes?: number } = {}) {
  const sent: OutgoingRecord[] = [];
  const t = new StreamTask({
    taskId: '0_0',
    applicationId: 'app',
    partition: 0,
    subtopology: firstSubtopology(),
    store: () => {
      throw new Error('no stores');
    },
    sinkTasks: new Map(),
    collector: { send: (r) => sent.push(r) },
    errorPolicy: { mode: 'dead-letter', topic: 'dlq' },
    logger: silentLogger,
    clock,
    requestCommit: () => {},
    recordLimits: resolveRecordLimits({
      maxTimestampAheadMs: HOUR,
      maxRecordBytes: opts.maxRecordBytes ?? 4096,
    }),
    watermarks: {
      partitionIdleMs: 10_000,
      targets: [],
      taskCount: 1,
      intervalMs: 0,
      heartbeatMs: Number.POSITIVE_INFINITY,
      stampStepMs: opts.stampStepMs ?? 0,
    },
  });
  await t.init();
  return { t, sent };
}

let offset = 0n;
function raw(pad: number, timestamp: number): RawRecord {
  return {
    topic: 'in',
    partition: 0,
    offset: offset++,
    key: Buffer.from('kk'),
    value: Buffer.from(JSON.stringify({ pad })),
    timestamp,
    headers: {},
  };
}

describe('record limits inside a task', () => {
  it('one wall-clock reading per batch: extraction and the sinks measure "ahead" against the same instant', async () => {
    let reads = 0;
    let current = NOW;
    // A clock that jumps back 2 h after the batch's reading (an NTP step): a sink reading the clock
    // again would find the records 2.5 h ahead and refuse what extraction accepted.
    const clock: Clock = {
      now: () => {
        reads++;
        const v = current;
        current = NOW - 2 * HOUR;
        return v;
      },
    };
    const { t, sent } = await task(clock);
    reads = 0;
    current = NOW;
    await t.process([raw(1, NOW + HOUR / 2), raw(2, NOW + HOUR / 2), raw(3, NOW + HOUR / 2)]);
    expect(reads).toBe(1);
    expect(sent.map((r) => r.topic)).toEqual(Array(3).fill('app-spread-repartition'));
    expect(t.counters.deadLettered).toBe(0);
  });

  it('a record refused by its size takes no watermark stamp: the next record still carries it', async () => {
    const { t, sent } = await task({ now: () => NOW }, { stampStepMs: 60_000 });
    await t.process([raw(5000, NOW - 1000), raw(10, NOW - 1000)]);
    expect(sent.map((r) => [r.topic, r.watermark !== undefined])).toEqual([
      ['dlq', false],
      ['app-spread-repartition', true],
    ]);
  });

  it('the stamp counts towards the size limit', async () => {
    // Key 2 bytes + value {"padding":"x..."} (14 + pad) + 70 framing = 4096 exactly without the stamp.
    const pad = 4096 - 70 - 2 - 14;
    const { t, sent } = await task({ now: () => NOW });
    await t.process([raw(pad, NOW - 1000)]);
    expect(sent.map((r) => r.topic)).toEqual(['dlq']);
    const { t: t2, sent: sent2 } = await task({ now: () => NOW });
    await t2.process([raw(pad - 26, NOW - 1000)]);
    expect(sent2.map((r) => r.topic)).toEqual(['app-spread-repartition']);
  });
});
