import { ensureTopics } from '@tributary/app-campaign-views';
import { dlqMaxMessageBytes, type KafkaSecurity, kafkajsPort, silentLogger } from '@tributary/core';

/**
 * Room for the dead letter of a record at the broker's size limit (the record plus the DLQ
 * headers), as in the DLQs the runtime creates: with the default limit the dead letter is refused
 * and stops the app.
 */
const DLQ_CONFIGS = { 'max.message.bytes': String(dlqMaxMessageBytes()) };

/** Creates the app's topics if missing: both logs (same partition count: the join needs it), DLQs, late topic, campaigns. */
export async function ensureCtrTopics(o: {
  bootstrapServers: string;
  security?: KafkaSecurity | undefined;
  viewTopic: string;
  clickTopic: string;
  campaignsTopic: string;
  lateTopic: string;
  partitions: number;
  /** The opt-in campaign-networks join: its networks input and joined output (both compacted) and DLQ. */
  networks?: { topic: string; outputTopic: string };
}): Promise<void> {
  await ensureTopics({
    bootstrapServers: o.bootstrapServers,
    security: o.security,
    inputTopic: o.viewTopic,
    campaignsTopic: o.campaignsTopic,
    partitions: o.partitions,
  });
  const admin = kafkajsPort({
    bootstrapServers: o.bootstrapServers,
    security: o.security,
    logger: silentLogger,
  }).admin();
  await admin.connect();
  try {
    await admin.createTopics([
      { name: o.clickTopic, partitions: o.partitions },
      { name: `${o.clickTopic}-dlq`, partitions: 1, configs: DLQ_CONFIGS },
      { name: o.lateTopic, partitions: 1 },
      ...(o.networks
        ? [
            { name: o.networks.topic, partitions: 1, configs: { 'cleanup.policy': 'compact' } },
            { name: `${o.networks.topic}-dlq`, partitions: 1, configs: DLQ_CONFIGS },
            { name: o.networks.outputTopic, partitions: 1, configs: { 'cleanup.policy': 'compact' } },
          ]
        : []),
    ]);
  } finally {
    await admin.disconnect();
  }
}
