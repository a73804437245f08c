import { brokerList, type KafkajsOptions, kafkajsPortParts } from '../kafkajs-adapter.js';
import type { KafkaPort } from '../ports.js';
import { platformaticSecurityOptions } from '../security.js';
import { LazyPlatformaticConsumer } from './lazy-consumer.js';

/**
 * The kafkajs adapter's options. `security` (TLS, SASL) reaches both clients, mapped by
 * kafka/security.ts; `kafkaConfig` only the roles still on kafkajs.
 */
export type PlatformaticOptions = KafkajsOptions;

/**
 * The ports with the runtime's group consumer on @platformatic/kafka (static membership, the
 * sticky task assignor, a seekable fetch loop), the part of the client that decides how rebalances
 * go. First step of issue #18: admin, producers and transactions, changelog restores and the global
 * tailer still run on kafkajs, behind the same ports.
 */
export function platformaticPort(opts: PlatformaticOptions): KafkaPort {
  const brokers = brokerList(opts.bootstrapServers);
  const clientId = opts.clientId ?? 'tributary';
  const { port: rest, checked, logger } = kafkajsPortParts({ ...opts, bootstrapServers: brokers, clientId });
  const connection = platformaticSecurityOptions(opts.security, brokers);
  return {
    ...rest,
    consumer: (c) =>
      checked(
        new LazyPlatformaticConsumer({ clientId, bootstrapBrokers: brokers, connection }, c, logger),
        'consumer',
      ),
  };
}
