import {
  KafkaJSConnectionError,
  KafkaJSNumberOfRetriesExceeded,
  KafkaJSProtocolError,
  type PartitionMetadata,
  type RecordMetadata,
  type TopicMessages,
  type Transaction,
} from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { isTributaryError, type TributaryError } from '../errors.js';
import { PartitionResolver } from './kafkajs-partitioner.js';
import { KafkajsProducer, type KafkajsProducerClient } from './kafkajs-producer.js';
import { partitionForKey } from './murmur2.js';
import type { OutgoingRecord } from './ports.js';

/** What the fake broker does with one partition of one send call. */
type Outcome = 'ok' | 'no-answer' | { errorCode: number };

/**
 * A kafkajs producer against an in-memory log: each send appends to its partitions and answers with
 * their base offsets, unless `plan` says otherwise for that call (1-based) and partition (`t-p`).
 */
function fakeKafka(
  opts: { plan?: (call: number, tp: string) => Outcome; fail?: (call: number) => Error } = {},
) {
  const ends = new Map<string, number>();
  const calls: TopicMessages[][] = [];
  const sendBatch = async ({
    topicMessages,
  }: {
    topicMessages: TopicMessages[];
  }): Promise<RecordMetadata[]> => {
    calls.push(topicMessages);
    const call = calls.length;
    const failure = opts.fail?.(call);
    if (failure) throw failure;
    const answers: RecordMetadata[] = [];
    for (const { topic, messages } of topicMessages) {
      const counts = new Map<number, number>();
      for (const m of messages)
        counts.set(m.partition as number, (counts.get(m.partition as number) ?? 0) + 1);
      for (const [partition, n] of counts) {
        const tp = `${topic}-${partition}`;
        const outcome = opts.plan?.(call, tp) ?? 'ok';
        if (outcome === 'no-answer') continue;
        if (outcome !== 'ok') {
          answers.push({ topicName: topic, partition, errorCode: outcome.errorCode, baseOffset: '-1' });
          continue;
        }
        const base = ends.get(tp) ?? 0;
        ends.set(tp, base + n);
        answers.push({ topicName: topic, partition, errorCode: 0, baseOffset: String(base) });
      }
    }
    return answers;
  };
  const txn = {
    sendBatch,
    sendOffsets: async (_offsets: unknown): Promise<void> => {},
    commit: async (): Promise<void> => {},
    abort: async (): Promise<void> => {},
  };
  const client: KafkajsProducerClient = {
    connect: async () => {},
    disconnect: async () => {},
    sendBatch,
    transaction: async () => txn as unknown as Transaction,
  };
  return { client, txn, calls, ends };
}

const PARTITIONS = 3;
const resolver = () =>
  new PartitionResolver(async (topics) => {
    const meta = (partitionId: number): PartitionMetadata => ({
      partitionErrorCode: 0,
      partitionId,
      leader: 1,
      replicas: [1],
      isr: [1],
    });
    return new Map(topics.map((t) => [t, Array.from({ length: PARTITIONS }, (_, i) => meta(i))]));
  });

const producer = (client: KafkajsProducerClient, transactional = false) =>
  new KafkajsProducer(client, {
    transactional,
    partitions: resolver(),
    send: { resendBackoffMs: 1 },
  });

const record = (key: string, value: string | Buffer, partition?: number): OutgoingRecord => ({
  topic: 't',
  key: Buffer.from(key),
  value: typeof value === 'string' ? Buffer.from(value) : value,
  timestamp: 0,
  headers: {},
  ...(partition === undefined ? {} : { partition }),
});

/** Keys of the records a send call carried, per `t-p`, in order. */
const keysByPartition = (call: TopicMessages[]) => {
  const out: Record<string, string[]> = {};
  for (const { topic, messages } of call) {
    for (const m of messages) {
      const tp = `${topic}-${m.partition}`;
      out[tp] = [...(out[tp] ?? []), String(m.key)];
    }
  }
  return out;
};

const protocolError = (type: string, retriable = false) =>
  new KafkaJSProtocolError(Object.assign(new Error(type), { type, code: 0, retriable }) as unknown as Error);

describe('KafkajsProducer.send', () => {
  it('sends in chunks of at most 768 KiB, in order, with the offsets of every chunk', async () => {
    const kafka = fakeKafka();
    const big = Buffer.alloc(100 * 1024);
    const records = Array.from({ length: 12 }, (_, i) => record(`k${i}`, big, 0));
    const produced = await producer(kafka.client).send(records);
    // About 100 KiB per record: 7 fit in the first chunk.
    expect(kafka.calls.map((c) => c[0]?.messages.length)).toEqual([7, 5]);
    expect(kafka.calls.flatMap((c) => keysByPartition(c)['t-0'])).toEqual(records.map((r) => String(r.key)));
    expect(produced).toEqual([
      { topic: 't', partition: 0, lastOffset: 6n },
      { topic: 't', partition: 0, lastOffset: 11n },
    ]);
  });

  it('partitions by key as Java does and returns the last offset written per partition', async () => {
    const kafka = fakeKafka();
    const p = producer(kafka.client);
    await p.send([record('warm-up', 'x', 1)]);
    const records = ['a', 'b', 'c', 'd', 'e', 'f'].map((k) => record(k, 'v'));
    const produced = await p.send(records);
    const expected = new Map<number, bigint>();
    for (const r of records) {
      const partition = partitionForKey(r.key as Buffer, PARTITIONS);
      expect(r.partition).toBe(partition);
      expected.set(partition, BigInt(kafka.ends.get(`t-${partition}`) as number) - 1n);
    }
    expect(new Map(produced.map((o) => [o.partition, o.lastOffset]))).toEqual(expected);
  });

  it('resends the records of a partition the broker did not answer for, and only those', async () => {
    const kafka = fakeKafka({ plan: (call, tp) => (call === 1 && tp === 't-1' ? 'no-answer' : 'ok') });
    const records = [record('a', 'v', 0), record('b', 'v', 1), record('c', 'v', 0), record('d', 'v', 1)];
    const produced = await producer(kafka.client).send(records);
    expect(kafka.calls.map(keysByPartition)).toEqual([
      { 't-0': ['a', 'c'], 't-1': ['b', 'd'] },
      { 't-1': ['b', 'd'] },
    ]);
    expect(produced).toEqual([
      { topic: 't', partition: 0, lastOffset: 1n },
      { topic: 't', partition: 1, lastOffset: 1n },
    ]);
  });

  it('resends a partition answered with a (retriable) error code, and takes no offset from that answer', async () => {
    // 6: NOT_LEADER_OR_FOLLOWER, what a partition answers while its leadership moves.
    const kafka = fakeKafka({ plan: (call, tp) => (call < 3 && tp === 't-2' ? { errorCode: 6 } : 'ok') });
    const produced = await producer(kafka.client).send([record('a', 'v', 2), record('b', 'v', 0)]);
    expect(kafka.calls).toHaveLength(3);
    expect(produced).toEqual([
      { topic: 't', partition: 0, lastOffset: 0n },
      { topic: 't', partition: 2, lastOffset: 0n },
    ]);
  });

  it('fails with PRODUCTION_FAILED when a partition stays unanswered', async () => {
    const kafka = fakeKafka({ plan: (_, tp) => (tp === 't-1' ? 'no-answer' : 'ok') });
    const err = await producer(kafka.client)
      .send([record('a', 'v', 0), record('b', 'v', 1)])
      .catch((e: unknown) => e);
    expect(isTributaryError(err, 'PRODUCTION_FAILED')).toBe(true);
    expect((err as Error).message).toBe('no acknowledgement for 1 records to t-1');
    // The first send and five resends.
    expect(kafka.calls).toHaveLength(6);
  });

  it('surfaces an error kafkajs gave up on as PRODUCTION_FAILED, without resending the chunk', async () => {
    const cause = new KafkaJSNumberOfRetriesExceeded(protocolError('NOT_LEADER_OR_FOLLOWER', true), {
      retryCount: 10,
      retryTime: 5000,
    });
    const kafka = fakeKafka({ fail: () => cause });
    const err = await producer(kafka.client)
      .send([record('a', 'v', 0)])
      .catch((e: unknown) => e);
    expect(isTributaryError(err, 'PRODUCTION_FAILED')).toBe(true);
    expect((err as TributaryError).cause).toBe(cause);
    expect(kafka.calls).toHaveLength(1);
  });

  it('sends nothing for no records', async () => {
    const kafka = fakeKafka();
    expect(await producer(kafka.client).send([])).toEqual([]);
    expect(kafka.calls).toHaveLength(0);
  });
});

describe('KafkajsProducer transactions', () => {
  it('never resends inside a transaction: an unanswered partition fails the send as TASK_CORRUPTED', async () => {
    // The unanswered records may be in the log already; a resend would commit them twice.
    const kafka = fakeKafka({ plan: (call, tp) => (call === 1 && tp === 't-0' ? 'no-answer' : 'ok') });
    const txn = await producer(kafka.client, true).beginTransaction();
    const err = await txn.send([record('a', 'v', 0), record('b', 'v', 1)]).catch((e: unknown) => e);
    expect(isTributaryError(err, 'TASK_CORRUPTED')).toBe(true);
    expect(kafka.calls).toHaveLength(1);
  });

  it('sends in the transaction and groups offsets by topic', async () => {
    const kafka = fakeKafka();
    const offsets: unknown[] = [];
    kafka.txn.sendOffsets = async (o: unknown) => {
      offsets.push(o);
    };
    const txn = await producer(kafka.client, true).beginTransaction();
    expect(await txn.send([record('a', 'v', 0), record('b', 'v', 1)])).toEqual([
      { topic: 't', partition: 0, lastOffset: 0n },
      { topic: 't', partition: 1, lastOffset: 0n },
    ]);
    await txn.sendOffsets('app', [
      { topic: 'in', partition: 0, offset: 5n },
      { topic: 'in', partition: 2, offset: 7n },
    ]);
    expect(offsets).toEqual([
      {
        consumerGroupId: 'app',
        topics: [
          {
            topic: 'in',
            partitions: [
              { partition: 0, offset: '5' },
              { partition: 2, offset: '7' },
            ],
          },
        ],
      },
    ]);
  });

  it('reports a fenced producer as TASK_MIGRATED', async () => {
    const kafka = fakeKafka({ fail: () => protocolError('PRODUCER_FENCED') });
    const txn = await producer(kafka.client, true).beginTransaction();
    const err = await txn.send([record('a', 'v', 0)]).catch((e: unknown) => e);
    expect(isTributaryError(err, 'TASK_MIGRATED')).toBe(true);
  });

  it('reports any other failure as TASK_CORRUPTED: the transaction outcome is unknown', async () => {
    const kafka = fakeKafka({
      fail: () => new KafkaJSConnectionError('Connection error: socket hang up', { broker: 'b1:9092' }),
    });
    const txn = await producer(kafka.client, true).beginTransaction();
    const err = await txn.send([record('a', 'v', 0)]).catch((e: unknown) => e);
    expect(isTributaryError(err, 'TASK_CORRUPTED')).toBe(true);

    const unanswered = fakeKafka({ plan: () => 'no-answer' });
    const txn2 = await producer(unanswered.client, true).beginTransaction();
    expect(
      isTributaryError(await txn2.send([record('a', 'v', 0)]).catch((e: unknown) => e), 'TASK_CORRUPTED'),
    ).toBe(true);

    const commitFails = fakeKafka();
    commitFails.txn.commit = async () => {
      throw protocolError('CONCURRENT_TRANSACTIONS', true);
    };
    const txn3 = await producer(commitFails.client, true).beginTransaction();
    expect(isTributaryError(await txn3.commit().catch((e: unknown) => e), 'TASK_CORRUPTED')).toBe(true);
  });

  it('refuses a transaction on a producer that is not transactional', async () => {
    const err = await producer(fakeKafka().client)
      .beginTransaction()
      .catch((e: unknown) => e);
    expect(isTributaryError(err, 'ILLEGAL_STATE')).toBe(true);
  });
});

describe('KafkajsProducer.connect', () => {
  it('fences at connect for a transactional producer: a transaction is opened and ended before any send', async () => {
    const { client } = fakeKafka();
    const events: string[] = [];
    const p = producer(
      {
        ...client,
        connect: async () => void events.push('connect'),
        transaction: async () => {
          events.push('init-producer-id');
          return { abort: async () => void events.push('abort') } as unknown as Transaction;
        },
      },
      true,
    );
    await p.connect();
    expect(events).toEqual(['connect', 'init-producer-id', 'abort']);
  });

  it('retries a lost connection instead of failing the task it is created for', async () => {
    const { client } = fakeKafka();
    let attempts = 0;
    const p = producer({
      ...client,
      connect: async () => {
        attempts++;
        if (attempts === 1) throw new KafkaJSConnectionError('Connection error: read ECONNRESET');
      },
    });
    await p.connect();
    expect(attempts).toBe(2);
  });
});

describe('KafkajsProducer.send, answers counted per partition', () => {
  it('a partition answered twice in one response counts once; the others are still checked', async () => {
    const kafka = fakeKafka();
    const sendBatch = kafka.client.sendBatch;
    let call = 0;
    // The first response repeats t-0's answer and leaves t-2 out: t-2's records must be resent.
    kafka.client.sendBatch = async (batch) => {
      call++;
      const answers = await sendBatch(batch);
      if (call > 1) return answers;
      const t0 = answers.find((a) => a.partition === 0);
      return [...answers.filter((a) => a.partition !== 2), ...(t0 ? [t0] : [])];
    };
    const records = [0, 1, 2, 0, 2].map((p, i) => record(`k${i}`, `v${i}`, p));
    const offsets = await producer(kafka.client).send(records);
    expect(kafka.calls).toHaveLength(2);
    expect(Object.keys(keysByPartition(kafka.calls[1] ?? []))).toEqual(['t-2']);
    expect(offsets.map((o) => `${o.partition}:${o.lastOffset}`).sort()).toEqual(['0:1', '1:0', '2:3']);
  });
});
