import { dlqMaxMessageBytes, type KafkaSecurity, kafkajsPort, silentLogger } from '@tributary/core';

/**
 * Room for the dead letter of a record at the broker's size limit (the record plus the DLQ
 * headers), as in the DLQs the runtime creates: with the default limit the dead letter is refused
 * and stops the app.
 */
const DLQ_CONFIGS = { 'max.message.bytes': String(dlqMaxMessageBytes()) };

/** Creates the app's topics if missing: the view log, the compacted campaigns table, DLQ and late topics (the sessions output has its own). */
export async function ensureTopics(o: {
  bootstrapServers: string;
  security?: KafkaSecurity | undefined;
  inputTopic: string;
  campaignsTopic: string;
  partitions: number;
}): Promise<void> {
  const admin = kafkajsPort({
    bootstrapServers: o.bootstrapServers,
    security: o.security,
    logger: silentLogger,
  }).admin();
  await admin.connect();
  try {
    await admin.createTopics([
      { name: o.inputTopic, partitions: o.partitions },
      { name: o.campaignsTopic, partitions: 1, configs: { 'cleanup.policy': 'compact' } },
      { name: `${o.inputTopic}-dlq`, partitions: 1, configs: DLQ_CONFIGS },
      { name: `${o.inputTopic}-late`, partitions: 1 },
      { name: `${o.inputTopic}-sessions-late`, partitions: 1 },
    ]);
  } finally {
    await admin.disconnect();
  }
}
