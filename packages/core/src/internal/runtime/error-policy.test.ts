import { describe, expect, it } from 'vitest';
import { isTributaryError } from '../../errors.js';
import type { OutgoingRecord, RawRecord } from '../../kafka/ports.js';
import { StreamsBuilder } from '../../kstream/streams-builder.js';
import { silentLogger } from '../../logger.js';
import { Serdes } from '../../serde/serdes.js';
import { TopologyTestDriver } from '../../testing/topology-test-driver.js';
import { DLQ_HEADERS } from './dead-letter.js';
import {
  DeserializationError,
  type ErrorPolicy,
  handleRecordError,
  newErrorCounters,
  type RecordFailure,
} from './error-policy.js';

function topology() {
  const b = new StreamsBuilder();
  b.stream<string, { n: number }>('in')
    .mapValues((v) => {
      if (v.n < 0) throw new Error('negative');
      return v.n;
    })
    .to('out', {
      valueSerde: Serdes.custom<number>(
        (n) => {
          if (n === 13) throw new Error('unlucky');
          return Buffer.from(String(n));
        },
        (b) => Number(b.toString()),
      ),
    });
  return b.build();
}

async function feed(policy: ErrorPolicy) {
  const driver = await TopologyTestDriver.create(topology(), { errorPolicy: policy });
  const input = driver.createInputTopic<string, { n: number }>('in');
  await input.pipeInput('ok1', { n: 1 });
  await input.pipeRaw(Buffer.from('bad-json'), Buffer.from('{not json'), 5); // deserialization
  await input.pipeInput('neg', { n: -1 }); // processing
  await input.pipeInput('thirteen', { n: 13 }); // production (serialization)
  await input.pipeInput('ok2', { n: 2 });
  return driver;
}

describe('error policy', () => {
  it('fail: the first bad record stops processing with a typed error', async () => {
    const driver = await TopologyTestDriver.create(topology(), { errorPolicy: { mode: 'fail' } });
    const input = driver.createInputTopic<string, { n: number }>('in');
    await input.pipeInput('ok1', { n: 1 });
    const err = await input.pipeRaw(null, Buffer.from('{not json')).catch((e: unknown) => e);
    expect(isTributaryError(err, 'DESERIALIZATION_FAILED')).toBe(true);
    const err2 = await input.pipeInput('neg', { n: -1 }).catch((e: unknown) => e);
    expect(isTributaryError(err2, 'PROCESSING_FAILED')).toBe(true);
    expect((err2 as Error).cause).toBeInstanceOf(Error);
    const err3 = await input.pipeInput('x', { n: 13 }).catch((e: unknown) => e);
    expect(isTributaryError(err3, 'PRODUCTION_FAILED')).toBe(true);
  });

  it('continue: bad records are skipped and counted per stage; good ones flow', async () => {
    const driver = await feed({ mode: 'continue' });
    expect(
      driver.createOutputTopic<string, string>('out', Serdes.string(), Serdes.string()).readKeyValuesToList(),
    ).toEqual([
      { key: 'ok1', value: '1' },
      { key: 'ok2', value: '2' },
    ]);
    expect(driver.errorCounters()).toMatchObject({
      deserializationErrors: 1,
      processingErrors: 1,
      productionErrors: 1,
      skipped: 3,
      deadLettered: 0,
    });
  });

  it('dead-letter: original bytes go to the DLQ with source and stage headers', async () => {
    const driver = await feed({ mode: 'dead-letter', topic: 'in-dlq' });
    const dlq = driver.createOutputTopic('in-dlq', Serdes.bytes(), Serdes.bytes()).readRecordsToList();
    expect(dlq.map((r) => r.headers[DLQ_HEADERS.stage])).toEqual([
      'deserialization',
      'processing',
      'production',
    ]);
    expect(dlq[0]?.value.toString()).toBe('{not json');
    expect(dlq[0]?.key.toString()).toBe('bad-json');
    expect(dlq[0]?.timestamp).toBe(5);
    expect(dlq[0]?.headers[DLQ_HEADERS.topic]).toBe('in');
    expect(dlq[0]?.headers[DLQ_HEADERS.partition]).toBe('0');
    expect(dlq[0]?.headers[DLQ_HEADERS.offset]).toBe('1');
    expect(dlq[1]?.headers[DLQ_HEADERS.error]).toBe('negative');
    expect(dlq[1]?.headers[DLQ_HEADERS.offset]).toBe('2');
    expect(JSON.parse(dlq[2]?.value.toString() ?? '')).toEqual({ n: 13 });
    expect(String(dlq[2]?.headers[DLQ_HEADERS.error])).toContain('unlucky');
    expect(driver.errorCounters().deadLettered).toBe(3);
  });

  it('dead-letter defaults to <source topic>-dlq', async () => {
    const driver = await feed({ mode: 'dead-letter' });
    expect(driver.createOutputTopic('in-dlq', Serdes.bytes(), Serdes.bytes()).queueSize).toBe(3);
  });
  it('tells onRecordFailed of each skipped or dead-lettered record, with where and why', () => {
    const failures: RecordFailure[] = [];
    const sent: OutgoingRecord[] = [];
    const raw: RawRecord = {
      topic: 'in',
      partition: 3,
      offset: 42n,
      timestamp: 1,
      key: null,
      value: Buffer.from('x'),
      headers: {},
    };
    const ctx = (policy: ErrorPolicy) => ({
      policy,
      counters: newErrorCounters(),
      collector: { send: (r: OutgoingRecord) => void sent.push(r) },
      logger: silentLogger,
      taskId: '0_3',
      onRecordFailed: (f: RecordFailure) => void failures.push(f),
    });
    const bad = new DeserializationError('bad', { cause: new Error('bad json') });
    handleRecordError(bad, raw, ctx({ mode: 'dead-letter' }));
    handleRecordError(new Error('boom'), raw, ctx({ mode: 'continue' }));
    expect(() => handleRecordError(new Error('stop'), raw, ctx({ mode: 'fail' }))).toThrow();
    const where = { taskId: '0_3', topic: 'in', partition: 3, offset: 42n };
    expect(failures).toEqual([
      {
        ...where,
        stage: 'deserialization',
        action: 'dead-lettered',
        error: 'bad json',
        deadLetterTopic: 'in-dlq',
      },
      { ...where, stage: 'processing', action: 'skipped', error: 'boom' },
    ]);
    expect(sent.map((r) => r.topic)).toEqual(['in-dlq']);
  });
});
