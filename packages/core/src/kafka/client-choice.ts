import type { Logger } from '../logger.js';
import type { KafkaClientName } from '../tributary-config.js';
import { kafkajsPort } from './kafkajs-adapter.js';
import { platformaticPort } from './platformatic/adapter.js';
import type { KafkaPort } from './ports.js';
import { describeSecurity, type KafkaSecurity } from './security.js';

/** The port of a built-in adapter, every client on the same servers and security settings. */
export function builtInPort(
  client: KafkaClientName,
  o: { bootstrapServers: string; clientId: string; logger: Logger; security?: KafkaSecurity | undefined },
): KafkaPort {
  const options = {
    bootstrapServers: o.bootstrapServers,
    clientId: o.clientId,
    logger: o.logger,
    ...(o.security ? { security: o.security } : {}),
  };
  if (o.security) o.logger.info('kafka connection security', describeSecurity(o.security));
  if (o.security?.tls?.rejectUnauthorized === false)
    o.logger.warn(
      'TLS certificate verification is off (security.tls.rejectUnauthorized: false): test use only',
    );
  return client === 'platformatic' ? platformaticPort(options) : kafkajsPort(options);
}
