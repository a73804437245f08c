import type { Headers } from '../../record.js';
import { type RawRecord, WATERMARK_STAMP_HEADER } from '../ports.js';

/** The parts of a fetched record batch this module reads (the client's RecordsBatch has more). */
export interface FetchedBatch {
  readonly firstOffset: bigint;
  readonly lastOffsetDelta: number;
  readonly attributes: number;
  readonly firstTimestamp: bigint;
  readonly maxTimestamp: bigint;
  readonly producerId: bigint;
  readonly records: readonly {
    readonly timestampDelta: bigint;
    readonly offsetDelta: number;
    readonly key: Buffer | null;
    readonly value: Buffer | null;
    readonly headers: readonly (readonly [Buffer | null, Buffer | null])[];
  }[];
}

export interface AbortedTransaction {
  readonly producerId: bigint;
  readonly firstOffset: bigint;
}

// Record batch attribute bits (Kafka's v2 message format).
const LOG_APPEND_TIME = 0x08;
const TRANSACTIONAL = 0x10;
const CONTROL = 0x20;

/** A control batch's record key: int16 version, int16 type; type 0 is an abort marker. */
function isAbortMarker(batch: FetchedBatch): boolean {
  const key = batch.records[0]?.key;
  return key !== null && key !== undefined && key.length >= 4 && key.readInt16BE(2) === 0;
}

export interface ConvertedPartition {
  readonly records: RawRecord[];
  /** Offset after the last batch of the response (data, control or aborted), or undefined if none. */
  readonly nextOffset: bigint | undefined;
}

/**
 * Turns one partition's fetched batches into records, from `from` on. Under read_committed the
 * batches of aborted transactions are dropped here, by the rule Kafka's own consumer follows: the
 * fetch response lists each aborted transaction (producer, first offset); from that offset on the
 * producer's transactional batches are aborted until its abort marker. @platformatic/kafka 1.35.0
 * filters too, but keeps only one aborted range per producer and keeps every batch whose abort
 * marker is not in the same response, so its filter alone would leak aborted records.
 */
export function convertPartition(
  topic: string,
  partition: number,
  batches: readonly FetchedBatch[],
  from: bigint,
  aborted: readonly AbortedTransaction[] | undefined,
): ConvertedPartition {
  const records: RawRecord[] = [];
  const pending = aborted ? [...aborted].sort((a, b) => (a.firstOffset < b.firstOffset ? -1 : 1)) : [];
  const abortedProducers = new Set<bigint>();
  let nextOffset: bigint | undefined;
  for (const batch of batches) {
    const lastOffset = batch.firstOffset + BigInt(batch.lastOffsetDelta);
    nextOffset = lastOffset + 1n;
    if (aborted && batch.producerId >= 0n) {
      while (pending.length > 0 && (pending[0] as AbortedTransaction).firstOffset <= lastOffset)
        abortedProducers.add((pending.shift() as AbortedTransaction).producerId);
      if (batch.attributes & CONTROL) {
        if (isAbortMarker(batch)) abortedProducers.delete(batch.producerId);
        continue;
      }
      if (batch.attributes & TRANSACTIONAL && abortedProducers.has(batch.producerId)) continue;
    }
    if (batch.attributes & CONTROL) continue;
    const appendTime = (batch.attributes & LOG_APPEND_TIME) !== 0;
    for (const r of batch.records) {
      const offset = batch.firstOffset + BigInt(r.offsetDelta);
      if (offset < from) continue;
      const stamp: { watermark?: Buffer } = {};
      const headers = toHeaders(r.headers, stamp);
      records.push({
        topic,
        partition,
        offset,
        key: r.key,
        value: r.value,
        timestamp: Number(appendTime ? batch.maxTimestamp : batch.firstTimestamp + r.timestampDelta),
        headers,
        watermark: stamp.watermark,
      });
    }
  }
  return { records, nextOffset };
}

function toHeaders(
  list: readonly (readonly [Buffer | null, Buffer | null])[],
  stamp: { watermark?: Buffer },
): Headers {
  const out: Headers = {};
  for (const [k, v] of list) {
    if (k === null) continue;
    const name = k.toString('utf8');
    // A repartitioned record's watermark stamp goes to the record, not to its headers.
    if (name === WATERMARK_STAMP_HEADER) {
      if (v) stamp.watermark = v;
      // Kafka allows repeated header keys; like the kafkajs adapter, the first value wins.
    } else if (!(name in out)) out[name] = v ?? undefined;
  }
  return out;
}
