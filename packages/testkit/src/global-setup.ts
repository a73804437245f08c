import { type BrokerHandle, ensureBroker } from './broker.js';

let broker: BrokerHandle | undefined;

// Vitest global setup of the integration project: one broker for the whole run. Workers start after
// this function returns, so they inherit KAFKA_BOOTSTRAP_SERVERS.
export async function setup(): Promise<void> {
  broker = await ensureBroker();
  process.env.KAFKA_BOOTSTRAP_SERVERS = broker.bootstrapServers;
  console.log(`[testkit] Kafka broker (${broker.kind}) at ${broker.bootstrapServers}`);
}

export async function teardown(): Promise<void> {
  await broker?.stop();
}
