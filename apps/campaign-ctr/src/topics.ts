import { ensureTopics } from '@tributary/app-campaign-views';
import { type KafkaSecurity, kafkajsPort, silentLogger } from '@tributary/core';

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
      { name: `${o.clickTopic}-dlq`, partitions: 1 },
      { name: o.lateTopic, partitions: 1 },
      ...(o.networks
        ? [
            { name: o.networks.topic, partitions: 1, configs: { 'cleanup.policy': 'compact' } },
            { name: `${o.networks.topic}-dlq`, partitions: 1 },
            { name: o.networks.outputTopic, partitions: 1, configs: { 'cleanup.policy': 'compact' } },
          ]
        : []),
    ]);
  } finally {
    await admin.disconnect();
  }
}
