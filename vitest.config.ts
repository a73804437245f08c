import { defineConfig } from 'vitest/config';

// Two projects: broker-less unit tests, and integration tests against a real Kafka broker that the
// global setup starts (or finds through KAFKA_BOOTSTRAP_SERVERS).
export default defineConfig({
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['{packages,apps,bench,tools}/**/*.test.ts'],
          exclude: ['**/node_modules/**', '**/*.integration.test.ts'],
          // The CLI tests start each app's main under tsx (about 6 s each on a loaded 2-core machine,
          // four at once): their bound is runMain's 45 s, not this one.
          testTimeout: 60_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['{packages,apps,bench,tools}/**/*.integration.test.ts'],
          exclude: ['**/node_modules/**'],
          globalSetup: ['packages/testkit/src/global-setup.ts'],
          testTimeout: 180_000,
          hookTimeout: 180_000,
          // One broker on two cores: run test files one after another so timings stay sane.
          fileParallelism: false,
        },
      },
    ],
  },
});
