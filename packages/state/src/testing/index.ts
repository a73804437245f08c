export { InMemoryChangelog, type InMemoryChangelogOptions } from './in-memory-changelog.js';
