import type { IHeaders, KafkaMessage, Message } from 'kafkajs';
import type { OutgoingRecord, RawRecord } from '../internal/runtime/raw-record.js';
import type { Headers } from '../record.js';

export function fromKafkaHeaders(h: IHeaders | undefined): Headers {
  const out: Headers = {};
  if (!h) return out;
  for (const [k, v] of Object.entries(h)) {
    out[k] = Array.isArray(v) ? v[0] : v;
  }
  return out;
}

export function toRawRecord(topic: string, partition: number, m: KafkaMessage): RawRecord {
  return {
    topic,
    partition,
    offset: BigInt(m.offset),
    key: m.key,
    value: m.value,
    timestamp: Number(m.timestamp),
    headers: fromKafkaHeaders(m.headers),
  };
}

export function toKafkaMessage(r: OutgoingRecord): Message {
  const headers: IHeaders = {};
  for (const [k, v] of Object.entries(r.headers)) if (v !== undefined) headers[k] = v;
  const m: Message = { key: r.key, value: r.value, timestamp: String(r.timestamp), headers };
  if (r.partition !== undefined) m.partition = r.partition;
  return m;
}

function approxSize(r: OutgoingRecord): number {
  let n = 70 + (r.key?.length ?? 0) + (r.value?.length ?? 0);
  for (const [k, v] of Object.entries(r.headers)) n += k.length + (v?.length ?? 0);
  return n;
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
    const s = approxSize(r);
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
