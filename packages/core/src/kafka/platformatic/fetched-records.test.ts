import { describe, expect, it } from 'vitest';
import { WATERMARK_STAMP_HEADER } from '../ports.js';
import { convertPartition, type FetchedBatch } from './fetched-records.js';

const TRANSACTIONAL = 0x10;
const CONTROL = 0x20;

function data(
  firstOffset: number,
  values: string[],
  opts: { producerId?: number; txn?: boolean } = {},
): FetchedBatch {
  return {
    firstOffset: BigInt(firstOffset),
    lastOffsetDelta: values.length - 1,
    attributes: opts.txn ? TRANSACTIONAL : 0,
    firstTimestamp: 1000n,
    maxTimestamp: 1000n + BigInt(values.length - 1),
    producerId: BigInt(opts.producerId ?? -1),
    records: values.map((v, i) => ({
      timestampDelta: BigInt(i),
      offsetDelta: i,
      key: Buffer.from(`k-${v}`),
      value: Buffer.from(v),
      headers: [],
    })),
  };
}

/** A transaction marker: control batch with one record whose key is (version 0, type). */
function marker(offset: number, producerId: number, type: 'abort' | 'commit'): FetchedBatch {
  const key = Buffer.alloc(4);
  key.writeInt16BE(type === 'abort' ? 0 : 1, 2);
  return {
    firstOffset: BigInt(offset),
    lastOffsetDelta: 0,
    attributes: TRANSACTIONAL | CONTROL,
    firstTimestamp: 0n,
    maxTimestamp: 0n,
    producerId: BigInt(producerId),
    records: [{ timestampDelta: 0n, offsetDelta: 0, key, value: Buffer.alloc(6), headers: [] }],
  };
}

const values = (
  batches: FetchedBatch[],
  from: bigint,
  aborted?: { producerId: bigint; firstOffset: bigint }[],
) =>
  convertPartition('t', 0, batches, from, aborted).records.map((r) => `${r.offset}:${r.value?.toString()}`);

describe('convertPartition (read_committed filtering of fetched batches)', () => {
  it('drops two aborted transactions of one producer in the same response, keeps the committed one between', () => {
    const batches = [
      data(0, ['a1', 'a2'], { producerId: 7, txn: true }),
      marker(2, 7, 'abort'),
      data(3, ['c1'], { producerId: 7, txn: true }),
      marker(4, 7, 'commit'),
      data(5, ['b1', 'b2'], { producerId: 7, txn: true }),
      marker(7, 7, 'abort'),
      data(8, ['plain']),
    ];
    const aborted = [
      { producerId: 7n, firstOffset: 5n },
      { producerId: 7n, firstOffset: 0n },
    ];
    expect(values(batches, 0n, aborted)).toEqual(['3:c1', '8:plain']);
  });

  it('drops an aborted transaction whose abort marker is not in this response', () => {
    const batches = [data(10, ['x1', 'x2'], { producerId: 3, txn: true })];
    expect(values(batches, 10n, [{ producerId: 3n, firstOffset: 10n }])).toEqual([]);
    // The position still moves past the aborted records.
    expect(convertPartition('t', 0, batches, 10n, [{ producerId: 3n, firstOffset: 10n }]).nextOffset).toBe(
      12n,
    );
  });

  it('keeps other producers interleaved with an aborted transaction', () => {
    const batches = [
      data(0, ['a'], { producerId: 1, txn: true }),
      data(1, ['b'], { producerId: 2, txn: true }),
      marker(2, 1, 'abort'),
      marker(3, 2, 'commit'),
    ];
    expect(values(batches, 0n, [{ producerId: 1n, firstOffset: 0n }])).toEqual(['1:b']);
  });

  it('read_uncommitted keeps aborted records; markers never become records', () => {
    const batches = [data(0, ['a'], { producerId: 1, txn: true }), marker(1, 1, 'abort')];
    expect(values(batches, 0n, undefined)).toEqual(['0:a']);
    expect(convertPartition('t', 0, batches, 0n, undefined).nextOffset).toBe(2n);
  });

  it('skips records before the requested offset (a batch is returned whole)', () => {
    expect(values([data(0, ['a', 'b', 'c'])], 2n)).toEqual(['2:c']);
  });

  it('takes the record timestamp, the log append time when the batch has one, and splits off the watermark stamp', () => {
    const stamped: FetchedBatch = {
      ...data(0, ['a']),
      records: [
        {
          timestampDelta: 5n,
          offsetDelta: 0,
          key: null,
          value: null,
          headers: [
            [Buffer.from('h'), Buffer.from('v1')],
            [Buffer.from('h'), Buffer.from('v2')],
            [Buffer.from(WATERMARK_STAMP_HEADER), Buffer.from('wm')],
          ],
        },
      ],
    };
    const [r] = convertPartition('t', 0, [stamped], 0n, undefined).records;
    expect(r?.timestamp).toBe(1005);
    expect(r?.headers).toEqual({ h: Buffer.from('v1') });
    expect(r?.watermark).toEqual(Buffer.from('wm'));
    const appendTime = { ...data(0, ['a', 'b']), attributes: 0x08, maxTimestamp: 9999n };
    expect(convertPartition('t', 0, [appendTime], 0n, undefined).records.map((x) => x.timestamp)).toEqual([
      9999, 9999,
    ]);
  });
});
