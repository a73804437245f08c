import { Kafka, type KafkaConfig, logLevel } from 'kafkajs';
import type { Logger } from '../logger.js';
import { KafkajsAdmin, SharedAdmin } from './kafkajs-admin.js';
import { kafkajsChangelogReader } from './kafkajs-changelog-reader.js';
import { KafkajsConsumer } from './kafkajs-consumer.js';
import { kafkajsLogger } from './kafkajs-errors.js';
import { PartitionResolver } from './kafkajs-partitioner.js';
import { kafkajsProducer } from './kafkajs-producer.js';
import { KafkajsTailer } from './kafkajs-tailer.js';
import type { KafkaPort } from './ports.js';

export { KAFKAJS_CONSUMER_FETCH } from './kafkajs-consumer.js';

export interface KafkajsOptions {
  bootstrapServers: string | readonly string[];
  clientId?: string;
  logger: Logger;
  /** Extra kafkajs settings (ssl, sasl, ...). */
  kafkaConfig?: Partial<KafkaConfig>;
}

/** The ports on one kafkajs client; the kafkajs-* modules next to this one implement them per role. */
export function kafkajsPort(opts: KafkajsOptions): KafkaPort {
  const brokers =
    typeof opts.bootstrapServers === 'string' ? opts.bootstrapServers.split(',') : [...opts.bootstrapServers];
  const clientId = opts.clientId ?? 'tributary';
  const kafka = new Kafka({
    clientId,
    brokers,
    logLevel: logLevel.WARN,
    logCreator: kafkajsLogger(opts.logger),
    retry: { retries: 10, initialRetryTime: 100, maxRetryTime: 5000 },
    ...(opts.kafkaConfig as KafkaConfig | undefined),
  });
  // Restores, the partitioner and the global tailer look things up now and then: one client for all.
  const lookups = new SharedAdmin(() => kafka.admin());
  const changelogReader = kafkajsChangelogReader(kafka, lookups, clientId);
  return {
    admin: () => new KafkajsAdmin(kafka.admin()),
    consumer: (c) => new KafkajsConsumer(kafka, c, opts.logger),
    producer: (p) =>
      kafkajsProducer(kafka, p, new PartitionResolver((topics) => lookups.partitionMetadata(topics))),
    changelogReader: () => changelogReader,
    tailer: (t) => new KafkajsTailer(kafka, lookups, t.groupId, opts.logger),
  };
}
