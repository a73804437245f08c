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
          testTimeout: 20_000,
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
