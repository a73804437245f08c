import { describe, expect, it } from 'vitest';
import type { OutgoingRecord, RawRecord } from '../../kafka/ports.js';
import {
  decodeWatermark,
  encodeWatermark,
  TaskWatermark,
  WATERMARK_HEADER,
  WatermarkBroadcaster,
  WatermarkReader,
} from './watermarks.js';

const NEG = Number.NEGATIVE_INFINITY;

function tracker(caughtUp: Record<string, boolean> = {}) {
  return new TaskWatermark({
    inputs: [
      { topic: 'a', repartition: false },
      { topic: 'b', repartition: false },
      { topic: 'r', repartition: true },
    ],
    partitionIdleMs: 1000,
    caughtUp: (t) => caughtUp[t] ?? true,
    now: 0,
  });
}

describe('TaskWatermark', () => {
  it('reports() gives a new incarnation of the task what the upstream tasks said, idle flags included', () => {
    const w = tracker();
    w.observe('a', 80, 0);
    w.observe('b', 90, 0);
    w.report('r', { task: 0, of: 2, watermark: 60, idle: false });
    w.report('r', { task: 1, of: 2, watermark: 70, idle: true });
    expect(w.watermark).toBe(60);
    expect(w.reports()).toEqual([
      { topic: 'r', task: 0, of: 2, watermark: 60, idle: false },
      { topic: 'r', task: 1, of: 2, watermark: 70, idle: true },
    ]);
    // Rebuilt after the input ended: the sources are read again, but no upstream task resends.
    const again = tracker();
    again.observe('a', 80, 0);
    again.observe('b', 90, 0);
    expect(again.watermark).toBe(NEG);
    for (const r of w.reports()) again.update(r.topic, r.task, r.of, r.watermark, r.idle);
    expect(again.watermark).toBe(60);
  });

  it('is the minimum over inputs; a repartition input waits for every upstream task', () => {
    const w = tracker();
    expect(w.observe('a', 50, 0)).toBe(false);
    w.observe('b', 70, 0);
    expect(w.watermark).toBe(NEG); // "r" has heard from nobody
    w.report('r', { task: 0, of: 2, watermark: 60, idle: false });
    expect(w.watermark).toBe(NEG); // task 1 of 2 is missing
    expect(w.report('r', { task: 1, of: 2, watermark: 40, idle: false })).toBe(true);
    expect(w.watermark).toBe(40);
    w.report('r', { task: 1, of: 2, watermark: 90, idle: false });
    expect(w.watermark).toBe(50); // now "a" is the slowest
  });

  it('never moves back: neither a smaller upstream report nor an older record lowers it', () => {
    const w = tracker();
    w.observe('a', 100, 0);
    w.observe('b', 100, 0);
    w.report('r', { task: 0, of: 1, watermark: 100, idle: false });
    expect(w.watermark).toBe(100);
    w.report('r', { task: 0, of: 1, watermark: 10, idle: false }); // a restarted upstream task
    w.observe('a', 5, 0);
    expect(w.watermark).toBe(100);
  });

  it('an input caught up and quiet for partitionIdleMs stops counting until its next record', () => {
    const caughtUp: Record<string, boolean> = { a: true, b: false };
    const w = tracker(caughtUp);
    w.observe('a', 10, 0);
    w.observe('b', 500, 0);
    w.report('r', { task: 0, of: 1, watermark: 800, idle: false });
    expect(w.watermark).toBe(10);
    expect(w.refresh(999)).toBe(false); // not quiet long enough
    caughtUp.a = true;
    expect(w.refresh(1000)).toBe(true); // "a" idle: min(500, 800)
    expect(w.watermark).toBe(500);
    expect(w.refresh(5000)).toBe(false); // "b" is behind its end: never idle
    w.observe('a', 20, 5000); // holds again, but the watermark stays
    expect(w.watermark).toBe(500);
    w.observe('b', 900, 5000);
    w.observe('a', 950, 5000);
    expect(w.watermark).toBe(800);
  });

  it('an upstream task that reports idle is left out; all inputs idle keep the watermark', () => {
    const w = tracker();
    w.observe('a', 300, 0);
    w.observe('b', 300, 0);
    w.report('r', { task: 0, of: 2, watermark: 200, idle: false });
    w.report('r', { task: 1, of: 2, watermark: NEG, idle: true });
    expect(w.watermark).toBe(200);
    w.report('r', { task: 0, of: 2, watermark: 250, idle: true }); // every upstream idle: "r" is idle
    expect(w.watermark).toBe(300);
    w.refresh(10_000); // and "a", "b" go idle too
    expect(w.idle).toBe(true);
    expect(w.watermark).toBe(300);
  });
});

describe('watermark records and stamps', () => {
  it('encode and decode round trip, -Infinity included; other formats are ignored', () => {
    for (const r of [
      { task: 3, of: 8, watermark: 1_762_430_400_000, idle: false },
      { task: 0, of: 1, watermark: NEG, idle: true },
    ])
      expect(decodeWatermark(encodeWatermark(r))).toEqual(r);
    const other = encodeWatermark({ task: 1, of: 2, watermark: 3, idle: false });
    other[0] = 2; // another version
    expect(decodeWatermark(other)).toBeUndefined();
    expect(decodeWatermark('1 2 3')).toBeUndefined();
  });

  it('the broadcaster sends to every partition, rate-limits changes and repeats unchanged ones on the heartbeat', () => {
    const sent: OutgoingRecord[] = [];
    const b = new WatermarkBroadcaster(
      [
        { topic: 'x', partitions: 3 },
        { topic: 'y', partitions: 2 },
      ],
      { task: 1, of: 4 },
      { send: (r) => sent.push(r) },
      200,
      5000,
    );
    b.maybeSend(100, false, 0);
    expect(sent.map((r) => `${r.topic}:${r.partition}`)).toEqual(['x:0', 'x:1', 'x:2', 'y:0', 'y:1']);
    expect(sent.every((r) => r.key === null && r.value === null && r.timestamp === 100)).toBe(true);
    expect(decodeWatermark(sent[0]?.headers[WATERMARK_HEADER] as Buffer)).toEqual({
      task: 1,
      of: 4,
      watermark: 100,
      idle: false,
    });
    sent.length = 0;
    b.maybeSend(150, false, 100); // changed, but within 200 ms
    expect(sent).toHaveLength(0);
    b.maybeSend(150, false, 200);
    expect(sent).toHaveLength(5);
    sent.length = 0;
    b.maybeSend(150, false, 5199); // unchanged: only on the heartbeat
    expect(sent).toHaveLength(0);
    b.maybeSend(150, false, 5200);
    expect(sent).toHaveLength(5);
  });

  it('without a heartbeat an unchanged watermark goes out again only after resend() (a rebalance)', () => {
    const sent: OutgoingRecord[] = [];
    const b = new WatermarkBroadcaster(
      [{ topic: 'x', partitions: 2 }],
      { task: 0, of: 1 },
      { send: (r) => sent.push(r) },
      200,
      Number.POSITIVE_INFINITY,
    );
    b.maybeSend(100, false, 0);
    b.maybeSend(100, false, 60_000);
    expect(sent).toHaveLength(2);
    b.resend();
    b.maybeSend(100, false, 60_001);
    expect(sent).toHaveLength(4);
  });

  it('stamps a data record only when the watermark moved at least the step since the last stamp', () => {
    const b = new WatermarkBroadcaster(
      [],
      { task: 2, of: 3 },
      { send: () => {} },
      200,
      Number.POSITIVE_INFINITY,
      1000,
    );
    expect(b.stamp(Number.NEGATIVE_INFINITY, false)).toBeDefined(); // the first one
    expect(b.stamp(Number.NEGATIVE_INFINITY, false)).toBeUndefined();
    expect(decodeWatermark(b.stamp(5_000, false) as Buffer)?.watermark).toBe(5_000);
    expect(b.stamp(5_999, false)).toBeUndefined();
    expect(decodeWatermark(b.stamp(6_000, false) as Buffer)).toEqual({
      task: 2,
      of: 3,
      watermark: 6_000,
      idle: false,
    });
    expect(b.stamp(6_000, true)).toBeDefined(); // idleness changed
  });

  it('the reader skips watermark records, strips stamps from data records and applies both', () => {
    const w = new TaskWatermark({
      inputs: [{ topic: 'r', repartition: true }],
      partitionIdleMs: 1000,
      caughtUp: () => true,
      now: 0,
    });
    const reader = new WatermarkReader(w);
    const raw = (headers: RawRecord['headers']): RawRecord => ({
      topic: 'r',
      partition: 0,
      offset: 0n,
      key: Buffer.from('k'),
      value: Buffer.from('v'),
      timestamp: 0,
      headers,
    });
    const data = {
      ...raw({ user: 'kept' }),
      watermark: encodeWatermark({ task: 0, of: 1, watermark: 70, idle: false }),
    };
    expect(reader.read(data)).toBe('data');
    expect(data.headers).toEqual({ user: 'kept' });
    expect(w.watermark).toBe(70);
    const rec = raw({ [WATERMARK_HEADER]: encodeWatermark({ task: 0, of: 1, watermark: 90, idle: false }) });
    expect(reader.read(rec)).toBe('record');
    expect(w.watermark).toBe(90);
    expect(reader.read(raw({ user: 'x' }))).toBe('data');
  });
});
