import { describe, expect, it } from 'vitest';
import { isTributaryError } from '../../errors.js';
import { StreamsBuilder } from '../../kstream/streams-builder.js';
import type { ProcessorContext } from '../../processor/processor.js';
import { Serdes } from '../../serde/serdes.js';
import { TopologyTestDriver, type TopologyTestDriverOptions } from '../../testing/topology-test-driver.js';
import { DLQ_HEADERS } from './dead-letter.js';
import type { ErrorPolicy } from './error-policy.js';

const NOW = Date.UTC(2026, 0, 1);
const HOUR = 3_600_000;

/**
 * Each wall-clock second a punctuator emits four records to `out`: one fine, one too large, one
 * too far ahead of the clock, one fine again.
 */
function topology() {
  const b = new StreamsBuilder();
  b.stream<string, string>('in', { valueSerde: Serdes.string() })
    .process<string, string>(
      () => {
        let ctx: ProcessorContext<string, string>;
        return {
          init: (c) => {
            ctx = c;
            c.schedule(1000, 'wall-clock', (ts) => {
              const emit = (key: string, value: string, timestamp = ts) =>
                ctx.forward({ key, value, timestamp, headers: {} });
              emit('first', 'ok');
              emit('big', 'x'.repeat(5000));
              emit('ahead', 'ok', ts + 2 * HOUR);
              emit('last', 'ok');
            });
          },
          process: () => {},
        };
      },
      { name: 'emitter' },
    )
    .to('out', { valueSerde: Serdes.string() });
  return b.build();
}

async function run(errorPolicy: ErrorPolicy) {
  const options: TopologyTestDriverOptions = {
    errorPolicy,
    initialWallClockMs: NOW,
    recordLimits: { maxTimestampAheadMs: HOUR, maxRecordBytes: 4096 },
  };
  const d = await TopologyTestDriver.create(topology(), options);
  const err = await d.advanceWallClockTime(1000).then(
    () => undefined,
    (e: unknown) => e,
  );
  const out = d.createOutputTopic('out', Serdes.string(), Serdes.string()).readKeyValuesToList();
  return { d, err, out: out.map((r) => r.key) };
}

describe('records a punctuator emits follow the error policy', () => {
  it('dead-letter: the refused ones go to the DLQ of the task input with the reason, the punctuator goes on', async () => {
    const { d, err, out } = await run({ mode: 'dead-letter', topic: (source) => `${source}-dlq` });
    expect(err).toBeUndefined();
    expect(out).toEqual(['first', 'last']);
    const dlq = d.createOutputTopic('in-dlq', Serdes.string(), Serdes.string()).readRecordsToList();
    expect(
      dlq.map((r) => [
        r.key,
        r.value,
        r.timestamp,
        r.headers[DLQ_HEADERS.stage],
        r.headers[DLQ_HEADERS.sinkTopic],
      ]),
    ).toEqual([
      [null, null, NOW + 1000, 'production', 'out'],
      [null, null, NOW + 1000, 'production', 'out'],
    ]);
    expect(dlq.map((r) => String(r.headers[DLQ_HEADERS.error]))).toEqual([
      expect.stringMatching(
        /^cannot produce for .*: record of ~\d+ bytes for topic out exceeds maxRecordBytes 4096$/,
      ),
      expect.stringMatching(
        /^cannot produce for .*: event timestamp \d+ is more than 3600000 ms ahead .*, topic out$/,
      ),
    ]);
    expect(d.errorCounters()).toMatchObject({ productionErrors: 2, deadLettered: 2, skipped: 0 });
  });

  it('continue: skipped and counted, the rest goes out', async () => {
    const { d, err, out } = await run({ mode: 'continue' });
    expect(err).toBeUndefined();
    expect(out).toEqual(['first', 'last']);
    expect(d.errorCounters()).toMatchObject({ productionErrors: 2, deadLettered: 0, skipped: 2 });
  });

  it('fail: PRODUCTION_FAILED out of the punctuation', async () => {
    const { err } = await run({ mode: 'fail' });
    expect(isTributaryError(err, 'PRODUCTION_FAILED')).toBe(true);
    expect((err as Error).message).toMatch(
      /emitted outside of processing .* for out: .*exceeds maxRecordBytes 4096/,
    );
  });
});
