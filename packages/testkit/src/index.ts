export { type BrokerHandle, type BrokerKind, ensureBroker } from './broker.js';
export {
  bootstrapServers,
  type ConsumedRecord,
  type ConsumeOptions,
  committedCount,
  consumeAll,
  createTopics,
  deleteTopics,
  produceAll,
  type TopicSpec,
  testKafka,
  testProducer,
  uniqueName,
  waitForCommittedToEnd,
  withAdmin,
} from './kafka.js';
export {
  type ClusterSize,
  killClusterNode,
  localBrokerReady,
  restartClusterNode,
  startLocalBroker,
  stopLocalBroker,
} from './local-broker.js';
export { eventually, latestByKey, tempDir, testLogger } from './runtime/helpers.js';
export {
  type SecureBroker,
  secureBrokerRunning,
  startSecureBroker,
  stopSecureBroker,
} from './secure-broker.js';
export { secureFixture } from './secure-fixture.js';
