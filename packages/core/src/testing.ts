export { InMemoryChangelog, type InMemoryChangelogOptions } from './testing/in-memory-changelog.js';
export {
  type CapturedRecord,
  TestInputTopic,
  TestOutputTopic,
  type TestRecord,
} from './testing/test-topics.js';
export { TopologyTestDriver, type TopologyTestDriverOptions } from './testing/topology-test-driver.js';
