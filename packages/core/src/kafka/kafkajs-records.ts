import type { IHeaders, KafkaMessage, Message } from 'kafkajs';
import type { Headers } from '../record.js';
import { approxRecordSize, type OutgoingRecord, type RawRecord, WATERMARK_STAMP_HEADER } from './ports.js';

export function fromKafkaHeaders(h: IHeaders | undefined, stamp?: { watermark?: Buffer }): Headers {
  const out: Headers = {};
  if (!h) return out;
  // for-in instead of Object.entries: no per-record entry arrays (decoded headers are plain objects).
  for (const k in h) {
    if (!Object.hasOwn(h, k)) continue;
    const raw = h[k];
    const v = Array.isArray(raw) ? raw[0] : raw;
    // A repartitioned record's watermark stamp goes to the record, not to its headers.
    if (stamp && k === WATERMARK_STAMP_HEADER) {
      if (Buffer.isBuffer(v)) stamp.watermark = v;
    } else out[k] = v;
  }
  return out;
}

/** Offset string to bigint; through Number when exact (much cheaper than parsing a BigInt string). */
function toOffset(s: string): bigint {
  return s.length < 16 ? BigInt(Number(s)) : BigInt(s);
}

export function toRawRecord(topic: string, partition: number, m: KafkaMessage): RawRecord {
  const stamp: { watermark?: Buffer } = {};
  const headers = fromKafkaHeaders(m.headers, stamp);
  return {
    topic,
    partition,
    offset: toOffset(m.offset),
    key: m.key,
    value: m.value,
    timestamp: Number(m.timestamp),
    headers,
    watermark: stamp.watermark,
  };
}

export function toKafkaMessage(r: OutgoingRecord): Message {
  // The headers object is passed through unless it holds undefined values (kafkajs only reads its
  // keys); copying it per record was a hot spot.
  let headers = r.headers as IHeaders;
  for (const k in r.headers) {
    if (r.headers[k] === undefined) {
      headers = {};
      for (const [hk, hv] of Object.entries(r.headers)) if (hv !== undefined) headers[hk] = hv;
      break;
    }
  }
  if (r.watermark) headers = { ...headers, [WATERMARK_STAMP_HEADER]: r.watermark };
  const m: Message = { key: r.key, value: r.value, timestamp: String(r.timestamp), headers };
  if (r.partition !== undefined) m.partition = r.partition;
  return m;
}

/**
 * Splits records into send calls small enough for the broker's per-batch size limit (1 MiB by
 * default), keeping each partition's records in order across chunks.
 */
export function chunkForSend(records: readonly OutgoingRecord[], maxBytes = 768 * 1024): OutgoingRecord[][] {
  const chunks: OutgoingRecord[][] = [];
  let current: OutgoingRecord[] = [];
  let size = 0;
  for (const r of records) {
    const s = approxRecordSize(r);
    if (current.length > 0 && size + s > maxBytes) {
      chunks.push(current);
      current = [];
      size = 0;
    }
    current.push(r);
    size += s;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}
