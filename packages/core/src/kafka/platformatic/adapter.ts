import { type KafkajsOptions, kafkajsPort } from '../kafkajs-adapter.js';
import type { KafkaPort } from '../ports.js';
import { PlatformaticConsumer } from './group-consumer.js';

/**
 * The kafkajs adapter's options. `kafkaConfig` (ssl, sasl) reaches only the roles still on kafkajs,
 * not the platformatic consumer yet.
 * TODO(#21): map the client-agnostic `security` config (kafka/security.ts) to both clients here.
 */
export type PlatformaticOptions = KafkajsOptions;

/**
 * The ports with the runtime's group consumer on @platformatic/kafka (static membership, the
 * sticky task assignor, a seekable fetch loop), the part of the client that decides how rebalances
 * go. First step of issue #18: admin, producers and transactions, changelog restores and the global
 * tailer still run on kafkajs, behind the same ports.
 */
export function platformaticPort(opts: PlatformaticOptions): KafkaPort {
  const brokers =
    typeof opts.bootstrapServers === 'string' ? opts.bootstrapServers.split(',') : [...opts.bootstrapServers];
  const clientId = opts.clientId ?? 'tributary';
  const rest = kafkajsPort({ ...opts, bootstrapServers: brokers, clientId });
  return {
    ...rest,
    consumer: (c) => new PlatformaticConsumer({ clientId, bootstrapBrokers: brokers }, c, opts.logger),
  };
}
