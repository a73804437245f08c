import type { ProducerPort } from '@tributary/core';

export interface ProduceLoopOptions<T> {
  producer: ProducerPort;
  topic: string;
  /** Records to send; 0 = until the signal aborts. */
  count: number;
  /** Records per second; 0 = as fast as possible. */
  rate: number;
  /** Records per send (one request per batch, never one await per record). Default 1000. */
  batchSize?: number;
  next: () => T;
  /** Turns an item into key and value bytes. */
  encode: (item: T) => { key: string | null; value: string | null };
  signal?: AbortSignal;
  onProgress?: (sent: number) => void;
}

/** Sends `count` records in batches, pacing batches to `rate` records/s. Resolves with the number sent. */
export async function produceLoop<T>(o: ProduceLoopOptions<T>): Promise<number> {
  const batchSize = o.batchSize ?? 1000;
  // Small batches under a rate limit (about 10 per second) keep the flow smooth rather than bursty.
  const perBatch = o.rate > 0 ? Math.max(1, Math.min(batchSize, Math.ceil(o.rate / 10))) : batchSize;
  const started = Date.now();
  let sent = 0;
  while ((o.count === 0 || sent < o.count) && !o.signal?.aborted) {
    const n = o.count === 0 ? perBatch : Math.min(perBatch, o.count - sent);
    const now = Date.now();
    const batch = Array.from({ length: n }, () => {
      const { key, value } = o.encode(o.next());
      return {
        topic: o.topic,
        key: key === null ? null : Buffer.from(key),
        value: value === null ? null : Buffer.from(value),
        timestamp: now,
        headers: {},
      };
    });
    await o.producer.send(batch);
    sent += n;
    o.onProgress?.(sent);
    if (o.rate > 0) {
      const wait = started + (sent / o.rate) * 1000 - Date.now();
      if (wait > 0) await sleep(wait, o.signal);
    }
  }
  return sent;
}

/** Waits `ms` or until the signal aborts; the listener is removed either way (no leak per batch). */
function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const t = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}
