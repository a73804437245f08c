import { type KafkaSecurity, kafkajsPort, type Logger } from '@tributary/core';
import { mulberry32 } from './prng.js';
import { produceLoop } from './produce-loop.js';

/** The parsed flags a produce command reads (commonFlags + PRODUCE_FLAGS + --invalid-ratio). */
export interface ProduceFlagValues {
  'bootstrap-servers': string;
  'input-topic': string;
  /** Records to send; 0 = until SIGINT/SIGTERM. */
  count: number;
  /** Records per second; 0 = as fast as the broker takes them. */
  rate: number;
  seed: number;
  'batch-size': number;
  /** Share of records whose value is replaced by one of `malformed` (for the dead-letter queue). */
  'invalid-ratio': number;
}

export interface ProduceCommandOptions {
  flags: ProduceFlagValues;
  /** TLS and SASL (securityFromFlags). */
  security?: KafkaSecurity | undefined;
  clientId: string;
  logger: Logger;
  /** The valid records, endless: values are sent as JSON. */
  records: Iterator<{ key: string; value: unknown }>;
  malformed: readonly string[];
}

/**
 * An app's `produce` command: an idempotent producer sends generated records in paced batches until
 * `count` or a signal, logging progress every 10,000 records. Resolves with the number sent.
 */
export async function produceCommand(o: ProduceCommandOptions): Promise<number> {
  const f = o.flags;
  const topic = f['input-topic'];
  const port = kafkajsPort({
    bootstrapServers: f['bootstrap-servers'],
    security: o.security,
    clientId: o.clientId,
    logger: o.logger,
  });
  const producer = port.producer({ idempotent: true });
  await producer.connect();
  const controller = new AbortController();
  const abort = () => controller.abort();
  process.once('SIGINT', abort);
  process.once('SIGTERM', abort);
  const invalidRatio = f['invalid-ratio'];
  const malformed = o.malformed;
  // A separate stream for the malformed draws keeps the valid records identical for a seed.
  const rnd = mulberry32(f.seed ^ 0x5bd1e995);
  try {
    const sent = await produceLoop<{ key: string; value: string }>({
      producer,
      topic,
      count: f.count,
      rate: f.rate,
      batchSize: f['batch-size'],
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
        if (n % 10_000 === 0) o.logger.info('produced', { topic, records: n });
      },
    });
    o.logger.info('done', { topic, records: sent });
    return sent;
  } finally {
    process.off('SIGINT', abort);
    process.off('SIGTERM', abort);
    await producer.disconnect();
  }
}
