import { describe, expect, it } from 'vitest';
import { isTributaryError } from '../../errors.js';
import type { KafkaPort } from '../../kafka/ports.js';
import { StreamsBuilder } from '../../kstream/streams-builder.js';
import { Serdes } from '../../serde/serdes.js';
import { TopologyTestDriver } from '../../testing/topology-test-driver.js';
import { Tributary } from '../../tributary.js';
import { DLQ_HEADERS } from './dead-letter.js';
import {
  DEFAULT_RECORD_LIMITS,
  dlqMaxMessageBytes,
  invalidTimestamp,
  KAFKA_MAX_INT,
  type RecordLimits,
  resolveRecordLimits,
  unsendable,
} from './record-limits.js';

const NOW = Date.UTC(2026, 0, 1);
const HOUR = 3_600_000;

describe('record limits', () => {
  it('a timestamp is valid from 0 up to the wall clock plus maxTimestampAheadMs', () => {
    const l = DEFAULT_RECORD_LIMITS;
    expect(invalidTimestamp(0, NOW, l)).toBeUndefined();
    expect(invalidTimestamp(NOW + HOUR, NOW, l)).toBeUndefined();
    expect(invalidTimestamp(NOW + HOUR + 1, NOW, l)).toMatch(/ahead of the wall clock/);
    // The value from the issue: one past the largest Date.
    expect(invalidTimestamp(8_640_000_000_000_001, NOW, l)).toMatch(/ahead/);
    expect(invalidTimestamp(Date.UTC(10_000, 0, 1), NOW, l)).toMatch(/ahead/);
    // Kafka timestamps are int64 ms: a fraction is as invalid as NaN.
    for (const bad of [
      -1,
      Date.UTC(1969, 11, 31),
      Number.NaN,
      Number.POSITIVE_INFINITY,
      NOW + 0.5,
      '5' as never,
    ])
      expect(invalidTimestamp(bad, NOW, l)).toMatch(/whole number of ms >= 0/);
  });

  it('a record is unsendable when its timestamp or size is out of bounds', () => {
    const l = resolveRecordLimits({ maxRecordBytes: 1000 });
    const rec = (value: number, timestamp = NOW) => ({
      topic: 't',
      key: Buffer.from('k'),
      value: Buffer.alloc(value),
      timestamp,
      headers: { h: 'v' },
    });
    // 70 bytes of framing + key 1 + header 2 + value.
    expect(unsendable(rec(1000 - 73), NOW, l)).toBeUndefined();
    expect(unsendable(rec(1000 - 72), NOW, l)).toMatch(/~1001 bytes for topic t exceeds maxRecordBytes 1000/);
    expect(unsendable(rec(10, NOW + 2 * HOUR), NOW, l)).toMatch(/ahead.*topic t/);
  });

  it('rejects limits that are not safe positive integers, and unknown keys, with CONFIG_INVALID', () => {
    const codeOf = (limits: unknown) => {
      try {
        resolveRecordLimits(limits as RecordLimits);
        return 'accepted';
      } catch (e) {
        return isTributaryError(e, 'CONFIG_INVALID') ? e.message : `untyped: ${String(e)}`;
      }
    };
    for (const bad of [0, -5, Number.NaN, 1.5, 2 ** 53, Number.POSITIVE_INFINITY, 2 ** 31, '1000'])
      expect(codeOf({ maxRecordBytes: bad }), String(bad)).toMatch(/^recordLimits.maxRecordBytes must be/);
    for (const bad of [0, -1, Number.NaN, 0.5, 2 ** 53, Number.NEGATIVE_INFINITY, '60000'])
      expect(codeOf({ maxTimestampAheadMs: bad }), String(bad)).toMatch(
        /^recordLimits.maxTimestampAheadMs must be/,
      );
    expect(codeOf({ maxRecordSize: 1000 })).toBe(
      'recordLimits.maxRecordSize is not a record limit (known: maxTimestampAheadMs, maxRecordBytes)',
    );
    expect(codeOf(5)).toMatch(/recordLimits must be an object/);
    expect(codeOf(null)).toMatch(/recordLimits must be an object/);
    // Infinity turns the timestamp limit off; undefined keeps the default; the largest Kafka int is fine.
    expect(resolveRecordLimits({ maxTimestampAheadMs: Number.POSITIVE_INFINITY })).toEqual({
      ...DEFAULT_RECORD_LIMITS,
      maxTimestampAheadMs: Number.POSITIVE_INFINITY,
    });
    expect(resolveRecordLimits({ maxRecordBytes: undefined } as unknown as RecordLimits)).toEqual(
      DEFAULT_RECORD_LIMITS,
    );
    expect(resolveRecordLimits({ maxRecordBytes: KAFKA_MAX_INT }).maxRecordBytes).toBe(KAFKA_MAX_INT);
  });

  it('a bad limit or buffering setting fails at construction, not at the first record', async () => {
    const b = new StreamsBuilder();
    b.stream('in').to('out');
    const topology = b.build();
    const config = { applicationId: 'a', bootstrapServers: 'unused:9092', kafka: {} as KafkaPort };
    expect(() => new Tributary(topology, { ...config, recordLimits: { maxRecordBytes: 0.5 } })).toThrow(
      expect.objectContaining({ code: 'CONFIG_INVALID' }),
    );
    expect(() => new Tributary(topology, { ...config, buffering: { maxBufferedRecords: 0 } })).toThrow(
      expect.objectContaining({ code: 'CONFIG_INVALID' }),
    );
    expect(
      () => new Tributary(topology, { ...config, buffering: { maxBufferedRecords: 1000 } }),
    ).not.toThrow();
    await expect(
      TopologyTestDriver.create(topology, {
        recordLimits: { maxTimestampAhead: 1 } as unknown as RecordLimits,
      }),
    ).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
  });

  it('the DLQ topics get room for the DLQ headers, within what a Kafka int setting can hold', () => {
    expect(dlqMaxMessageBytes(DEFAULT_RECORD_LIMITS)).toBe(1_048_576 + 65_536);
    expect(dlqMaxMessageBytes(resolveRecordLimits({ maxRecordBytes: KAFKA_MAX_INT - 10 }))).toBe(
      KAFKA_MAX_INT,
    );
  });
});

/** in (JSON {ts, pad}) -> event time ts -> pad the value -> repartition -> out. */
function topology() {
  const b = new StreamsBuilder();
  b.stream<string, { ts: number; pad: number }>('in', {
    valueSerde: Serdes.json(),
    timestampExtractor: (r) => r.value.ts,
  })
    .mapValues((v) => ({ ...v, padding: 'x'.repeat(v.pad) }))
    .repartition({ name: 'spread', valueSerde: Serdes.json() })
    .mapValues((v) => v.ts)
    .to('out', { valueSerde: Serdes.json() });
  return b.build();
}

describe('record limits under the error policy', () => {
  it('timestamps Kafka would reject and oversized repartition records go to the DLQ; the rest flows', async () => {
    const driver = await TopologyTestDriver.create(topology(), {
      errorPolicy: { mode: 'dead-letter', topic: 'dlq' },
      initialWallClockMs: NOW,
      recordLimits: { maxTimestampAheadMs: HOUR, maxRecordBytes: 4096 },
    });
    const input = driver.createInputTopic<string, { ts: number; pad: number }>('in');
    const cases = [
      { key: 'ok-now', ts: NOW, pad: 10, reason: undefined },
      { key: 'issue', ts: 8_640_000_000_000_001, pad: 0, reason: 'deserialization' },
      { key: 'year-10000', ts: Date.UTC(10_000, 0, 1), pad: 0, reason: 'deserialization' },
      { key: 'before-1970', ts: -86_400_000, pad: 0, reason: 'deserialization' },
      { key: 'fractional', ts: NOW + 0.5, pad: 0, reason: 'deserialization' },
      { key: 'ok-ahead', ts: NOW + HOUR, pad: 0, reason: undefined },
      { key: 'too-far-ahead', ts: NOW + HOUR + 1, pad: 0, reason: 'deserialization' },
      { key: 'too-big', ts: NOW, pad: 5000, reason: 'production' },
      { key: 'ok-big', ts: NOW, pad: 3900, reason: undefined },
    ];
    for (const c of cases) await input.pipeInput(c.key, { ts: c.ts, pad: c.pad }, 1);
    const out = driver.createOutputTopic('out', Serdes.string(), Serdes.json<number>()).readKeyValuesToList();
    expect(out).toEqual(cases.filter((c) => !c.reason).map((c) => ({ key: c.key, value: c.ts })));
    const dlq = driver.createOutputTopic('dlq', Serdes.string(), Serdes.bytes()).readRecordsToList();
    expect(dlq.map((r) => [r.key, r.headers[DLQ_HEADERS.stage]])).toEqual(
      cases.filter((c) => c.reason).map((c) => [c.key, c.reason]),
    );
    expect(String(dlq.at(-1)?.headers[DLQ_HEADERS.error])).toMatch(/exceeds maxRecordBytes 4096/);
    expect(driver.errorCounters()).toMatchObject({
      deserializationErrors: 5,
      productionErrors: 1,
      deadLettered: 6,
    });
  });

  it('under fail, an out-of-range timestamp stops with DESERIALIZATION_FAILED', async () => {
    const driver = await TopologyTestDriver.create(topology(), {
      initialWallClockMs: NOW,
      recordLimits: { maxTimestampAheadMs: HOUR },
    });
    const input = driver.createInputTopic<string, { ts: number; pad: number }>('in');
    const err = await input.pipeInput('k', { ts: 8_640_000_000_000_001, pad: 0 }).catch((e: unknown) => e);
    expect(isTributaryError(err, 'DESERIALIZATION_FAILED')).toBe(true);
  });
});
