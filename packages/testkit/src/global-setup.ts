import { type BrokerHandle, ensureBroker } from './broker.js';
import { secureBrokerRunning, stopSecureBroker } from './secure-broker.js';

let broker: BrokerHandle | undefined;
let secureWasRunning = false;

// Vitest global setup of the integration project: one broker for the whole run. Workers start after
// this function returns, so they inherit KAFKA_BOOTSTRAP_SERVERS.
export async function setup(): Promise<void> {
  secureWasRunning = secureBrokerRunning();
  broker = await ensureBroker();
  process.env.KAFKA_BOOTSTRAP_SERVERS = broker.bootstrapServers;
  console.log(`[testkit] Kafka broker (${broker.kind}) at ${broker.bootstrapServers}`);
}

export async function teardown(): Promise<void> {
  await broker?.stop();
  // Test files start the SASL_SSL broker when they need it (startSecureBroker); one started during
  // this run is stopped here, once, not after each file.
  if (!secureWasRunning && secureBrokerRunning()) await stopSecureBroker();
}
