import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../logger.js';
import type { RawRecord } from '../ports.js';
import { type FetchClient, PartitionFetcher } from './partition-fetcher.js';

interface FetchCall {
  readonly offsets: Map<number, bigint>;
  answer(byPartition: Map<number, { from: number; count: number } | 'out-of-range'>): void;
}

/**
 * A one-broker cluster with topic "t" whose partition p holds records with values `p:offset`.
 * Each Fetch waits until the test answers it, so the test decides what is in flight when.
 */
function fakeClient(opts: { earliest?: bigint } = {}) {
  const calls: FetchCall[] = [];
  const client = {
    metadata: async () => ({
      brokers: new Map([[1, { host: 'x', port: 1 }]]),
      topics: new Map([['t', { id: 'tid', partitionsCount: 2, partitions: [{ leader: 1 }, { leader: 1 }] }]]),
    }),
    clearMetadata: () => {},
    listOffsets: async () => new Map([['t', [opts.earliest ?? 0n, opts.earliest ?? 0n]]]),
    fetch: (req: { topics: { partitions: { partition: number; fetchOffset: bigint }[] }[] }) =>
      new Promise((resolve, reject) => {
        const offsets = new Map(
          req.topics.flatMap((t) => t.partitions.map((p) => [p.partition, p.fetchOffset])),
        );
        calls.push({
          offsets,
          answer: (byPartition) => {
            const partitions = [...byPartition].map(([p, a]) =>
              a === 'out-of-range'
                ? { partitionIndex: p, errorCode: 1, highWatermark: 0n, abortedTransactions: [] }
                : {
                    partitionIndex: p,
                    errorCode: 0,
                    highWatermark: BigInt(a.from + a.count),
                    abortedTransactions: [],
                    records: [
                      {
                        firstOffset: BigInt(a.from),
                        lastOffsetDelta: a.count - 1,
                        attributes: 0,
                        firstTimestamp: 0n,
                        maxTimestamp: 0n,
                        producerId: -1n,
                        records: Array.from({ length: a.count }, (_, i) => ({
                          timestampDelta: 0n,
                          offsetDelta: i,
                          key: null,
                          value: Buffer.from(`${p}:${a.from + i}`),
                          headers: [],
                        })),
                      },
                    ],
                  },
            );
            const response = { responses: [{ topicId: 'tid', partitions }] };
            if (partitions.some((p) => p.errorCode !== 0))
              reject(Object.assign(new Error('fetch'), { response }));
            else resolve(response);
          },
        });
      }),
  };
  return { client: client as unknown as FetchClient, calls };
}

const until = async (check: () => boolean) => {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 5));
  expect(check()).toBe(true);
};

describe('PartitionFetcher', () => {
  it('drops an in-flight answer for a partition sought meanwhile and fetches again from the seek offset', async () => {
    const { client, calls } = fakeClient();
    const fetcher = new PartitionFetcher(
      client,
      { readCommitted: false, maxWaitTimeMs: 10, maxBytesPerPartition: 1000 },
      silentLogger,
    );
    const delivered: string[] = [];
    fetcher.start(
      {
        onBatch: async (records: readonly RawRecord[]) => {
          delivered.push(...records.map((r) => String(r.value)));
        },
      },
      (err) => {
        throw err;
      },
    );
    fetcher.assign([
      { topic: 't', partition: 0, offset: 10n },
      { topic: 't', partition: 1, offset: 0n },
    ]);
    await until(() => calls.length === 1);
    expect([...(calls[0]?.offsets ?? [])]).toEqual([
      [0, 10n],
      [1, 0n],
    ]);
    // The runtime rewinds partition 0 while the fetch from 10 is in flight.
    fetcher.seek([{ topic: 't', partition: 0, offset: 4n }]);
    calls[0]?.answer(
      new Map([
        [0, { from: 10, count: 2 }],
        [1, { from: 0, count: 1 }],
      ]),
    );
    await until(() => calls.length === 2);
    expect(delivered).toEqual(['1:0']);
    expect([...(calls[1]?.offsets ?? [])]).toEqual([
      [0, 4n],
      [1, 1n],
    ]);
    calls[1]?.answer(new Map([[0, { from: 4, count: 2 }]]));
    await until(() => delivered.length === 3);
    expect(delivered).toEqual(['1:0', '0:4', '0:5']);
    const stopping = fetcher.stop();
    await until(() => calls.length === 3);
    calls[2]?.answer(new Map());
    await stopping;
  });

  it('a position out of range (records deleted) resets to the earliest offset', async () => {
    const { client, calls } = fakeClient({ earliest: 50n });
    const fetcher = new PartitionFetcher(
      client,
      { readCommitted: true, maxWaitTimeMs: 10, maxBytesPerPartition: 1000 },
      silentLogger,
    );
    fetcher.start({ onBatch: async () => {} }, () => {});
    fetcher.assign([{ topic: 't', partition: 0, offset: 3n }]);
    await until(() => calls.length === 1);
    calls[0]?.answer(new Map([[0, 'out-of-range']]));
    await until(() => calls.length === 2);
    expect(calls[1]?.offsets.get(0)).toBe(50n);
    expect(fetcher.assigned()).toEqual([{ topic: 't', partition: 0, offset: 50n }]);
    const stopping = fetcher.stop();
    calls[1]?.answer(new Map());
    await stopping;
  });
});
