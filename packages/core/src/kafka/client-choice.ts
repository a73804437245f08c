import type { Logger } from '../logger.js';
import type { KafkaClientName } from '../tributary-config.js';
import { kafkajsPort } from './kafkajs-adapter.js';
import { platformaticPort } from './platformatic/adapter.js';
import type { KafkaPort } from './ports.js';
import type { KafkaSecurity } from './security.js';

/** The port of a built-in adapter, every client on the same servers and security settings. */
export function builtInPort(
  client: KafkaClientName,
  o: { bootstrapServers: string; clientId: string; logger: Logger; security?: KafkaSecurity | undefined },
): KafkaPort {
  return client === 'platformatic' ? platformaticPort(o) : kafkajsPort(o);
}
