// Until the campaign-views demo lands: a produce/consume smoke through the real broker.
import { consumeAll, createTopics, produceAll, uniqueName } from '@tributary/testkit';

const topic = uniqueName('demo-smoke');
await createTopics([{ name: topic, partitions: 3 }]);
const messages = Array.from({ length: 1000 }, (_, i) => ({ key: `k${i % 10}`, value: `record-${i}` }));
await produceAll(topic, messages);
const got = await consumeAll(topic, { count: messages.length, idleMs: 2000 });
console.log(`demo: produced ${messages.length} records to ${topic} and read back ${got.length}`);
if (got.length !== messages.length) process.exit(1);
