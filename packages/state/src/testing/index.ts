// The in-memory changelog moved to @tributary/core/testing (the TopologyTestDriver uses it); kept here.
export { InMemoryChangelog, type InMemoryChangelogOptions } from '@tributary/core/testing';
