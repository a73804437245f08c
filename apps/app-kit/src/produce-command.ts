import { kafkajsPort, type Logger } from '@tributary/core';
import { mulberry32 } from './prng.js';
import { produceLoop } from './produce-loop.js';

export interface ProduceCommandOptions {
  bootstrapServers: string;
  clientId: string;
  logger: Logger;
  topic: string;
  /** Records to send; 0 = until SIGINT/SIGTERM. */
  count: number;
  /** Records per second; 0 = as fast as the broker takes them. */
  rate: number;
  batchSize: number;
  seed: number;
  /** The valid records, endless: values are sent as JSON. */
  records: Iterator<{ key: string; value: unknown }>;
  /** Share of records whose value is replaced by one of `malformed` (for the dead-letter queue). */
  invalidRatio?: number;
  malformed?: readonly string[];
}

/**
 * An app's `produce` command: an idempotent producer sends generated records in paced batches until
 * `count` or a signal, logging progress every 10,000 records. Resolves with the number sent.
 */
export async function produceCommand(o: ProduceCommandOptions): Promise<number> {
  const port = kafkajsPort({ bootstrapServers: o.bootstrapServers, clientId: o.clientId, logger: o.logger });
  const producer = port.producer({ idempotent: true });
  await producer.connect();
  const controller = new AbortController();
  const abort = () => controller.abort();
  process.once('SIGINT', abort);
  process.once('SIGTERM', abort);
  const invalidRatio = o.invalidRatio ?? 0;
  const malformed = o.malformed ?? [];
  // A separate stream for the malformed draws keeps the valid records identical for a seed.
  const rnd = mulberry32(o.seed ^ 0x5bd1e995);
  try {
    const sent = await produceLoop<{ key: string; value: string }>({
      producer,
      topic: o.topic,
      count: o.count,
      rate: o.rate,
      batchSize: o.batchSize,
      signal: controller.signal,
      next: () => {
        const r = o.records.next().value as { key: string; value: unknown };
        if (malformed.length > 0 && rnd() < invalidRatio) {
          return { key: r.key, value: malformed[Math.floor(rnd() * malformed.length)] as string };
        }
        return { key: r.key, value: JSON.stringify(r.value) };
      },
      encode: (r) => r,
      onProgress: (n) => {
        if (n % 10_000 === 0) o.logger.info('produced', { topic: o.topic, records: n });
      },
    });
    o.logger.info('done', { topic: o.topic, records: sent });
    return sent;
  } finally {
    process.off('SIGINT', abort);
    process.off('SIGTERM', abort);
    await producer.disconnect();
  }
}
