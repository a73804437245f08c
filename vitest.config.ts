import { defineConfig, type TestProjectInlineConfiguration } from 'vitest/config';

// Broker-less unit tests, and integration tests against a real Kafka broker that the global setup
// starts (or finds through KAFKA_BOOTSTRAP_SERVERS). `integration` runs every broker test file one
// after another; the `ci-*` projects below run the same files (plus the second-adapter rerun) in a
// schedule that fits the CI budget.
const integration = {
  include: ['{packages,apps,bench,tools}/**/*.integration.test.ts'],
  exclude: ['**/node_modules/**'],
  globalSetup: ['packages/testkit/src/global-setup.ts'],
  testTimeout: 180_000,
  hookTimeout: 180_000,
  // One broker on two cores: a project runs its files one after another so timings stay sane.
  fileParallelism: false,
};

// CI schedule (scripts/test.sh starts the broker first, so the projects' global setups find it
// through KAFKA_BOOTSTRAP_SERVERS instead of racing to start one each). vitest runs the files of one
// groupOrder in one pool, here two files at a time, and the groups one after another:
// 0. every broker test not named below;
// 1. the second-adapter rerun beside the 3-node cluster test, the smaller apps and the TLS failure
//    test (one of the two files that start the SASL_SSL broker, so those two never start it at once);
// 2. alone, one file at a time: the tests that time pauses and kills (broker failover on a 3-node
//    cluster, static membership's gap bound, injected commit failures).
const BESIDE_RERUN = [
  'packages/testkit/src/cluster.integration.test.ts',
  'packages/testkit/src/runtime/secure-connection.integration.test.ts',
  'apps/voters/src/*.integration.test.ts',
  'apps/events-archive/src/*.integration.test.ts',
  'apps/campaign-ctr/src/*.integration.test.ts',
];
const ALONE = [
  'apps/campaign-views/src/broker-failover.integration.test.ts',
  'packages/testkit/src/runtime/static-membership.integration.test.ts',
  'packages/testkit/src/runtime/transaction-failure.integration.test.ts',
];
// The broker tests of rebalances, exactly-once and restores again on the second client adapter
// (issue 18; docs/scaling.md): both adapters must pass them. The foreign-key join and the plain
// restore test stay on the first pass only: they exercise the join and the changelog reader
// (kafkajs on both), not the group consumer.
const SECOND_ADAPTER = [
  'apps/campaign-views/src/scale-out.integration.test.ts',
  'apps/campaign-views/src/interactive-queries.integration.test.ts',
  'packages/testkit/src/runtime/rebalance-restore.integration.test.ts',
  'packages/testkit/src/runtime/transaction-failure.integration.test.ts',
  'packages/testkit/src/runtime/shutdown.integration.test.ts',
];

const ci = (
  name: string,
  groupOrder: number,
  maxWorkers: number,
  files: { include?: string[]; exclude?: string[]; env?: Record<string, string> },
): TestProjectInlineConfiguration => ({
  extends: true,
  test: {
    ...integration,
    name,
    sequence: { groupOrder },
    fileParallelism: maxWorkers > 1,
    maxWorkers,
    ...files,
  },
});

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
      { extends: true, test: { ...integration, name: 'integration' } },
      ci('ci-parallel', 0, 2, { exclude: [...integration.exclude, ...BESIDE_RERUN, ...ALONE] }),
      ci('ci-second-adapter', 1, 2, {
        include: SECOND_ADAPTER,
        env: { TRIBUTARY_KAFKA_CLIENT: 'platformatic' },
      }),
      ci('ci-beside-rerun', 1, 2, { include: BESIDE_RERUN }),
      ci('ci-alone', 2, 1, { include: ALONE }),
    ],
  },
});
