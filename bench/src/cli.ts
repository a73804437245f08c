/**
 * The bench's command lines, validated by app-kit's parser like the apps' (a bad value exits 2 with the
 * reason). Kept apart from the scripts so tests can parse without running a benchmark.
 */
import { parseFlags, UsageError } from '@tributary/app-kit';
import { PEER_IDS } from './suite/peers.js';

type Env = Readonly<Record<string, string | undefined>>;
/** A whole number >= 1 (a count, a size, a duration in ms), with a default. */
const count = (fallback: number) => ({ type: 'number', integer: true, min: 1, default: fallback }) as const;
const countOrNone = { type: 'number', integer: true, min: 1 } as const;

export const SUITE_CLI = {
  usage: `usage: npx tsx bench/src/run-suite.ts [--records N] [--partitions P] [--runs 3] [--quick] [--full]
    [--peers id,id,...] [--campaigns 1000] [--timeout-s S] [--commit-ms 1000] [--commit-ms-eos 100]
    [--suffix -name] [--no-build] [--tsx-peers]
  --quick = 200,000 records, 4 partitions (the default size, results suffixed -quick);
  --full = 5,000,000 records, 8 partitions. --no-build: skip building the Kafka Streams peer (mvn) and
  the Node peers' bundles (bench/dist, tools/build/build.ts), and use them as they are; --tsx-peers: run
  the Tributary and ceiling peers from their sources through the tsx loader instead of the bundles.
  Peers: ${PEER_IDS.join(', ')}`,
  flags: {
    records: countOrNone,
    partitions: countOrNone,
    campaigns: count(1000),
    runs: count(3),
    quick: { type: 'boolean' },
    full: { type: 'boolean' },
    peers: { type: 'list', values: PEER_IDS },
    'timeout-s': { type: 'number', min: 1 },
    'commit-ms': count(1000),
    'commit-ms-eos': count(100),
    suffix: { type: 'string' },
    'no-build': { type: 'boolean' },
    'tsx-peers': { type: 'boolean' },
  },
} as const;
export const parseSuiteCli = (argv: readonly string[], env: Env = process.env) =>
  parseFlags(SUITE_CLI, argv, env);

export const GENERATE_CLI = {
  usage: 'usage: npx tsx bench/src/generate.ts [--records 200000] [--partitions 4] [--campaigns 1000]',
  flags: { records: count(200_000), partitions: count(4), campaigns: count(1000) },
} as const;

export const CHAOS_CLI = {
  usage: `usage: npx tsx bench/src/chaos/run.ts [--instances 3] [--kills 10] [--guarantee exactly-once]
    [--records 60000] [--partitions 6] [--seed 1] [--chunks 20] [--chunk-interval-ms 6000]
    [--idle-timeout-ms 20000] [--grace-ms 1200000] [--commit-interval-ms 200] [--work-dir DIR]
    [--keep] [--no-report]`,
  flags: {
    instances: count(3),
    kills: { type: 'number', integer: true, min: 0, default: 10 },
    guarantee: { type: 'enum', values: ['at-least-once', 'exactly-once'], default: 'exactly-once' },
    records: count(60_000),
    partitions: count(6),
    seed: { type: 'number', integer: true, min: 0, default: 1 },
    chunks: { type: 'number', integer: true, min: 2, default: 20 },
    'chunk-interval-ms': { type: 'number', integer: true, min: 0, default: 6000 },
    // Both must exceed the longest stall of one upstream task (SIGKILL -> session timeout 10 s ->
    // rebalance -> restore), or records of the stalled task arrive after their window closed (late).
    'idle-timeout-ms': count(20_000),
    // Event time runs 10x faster than wall time here (a minute per 6 s chunk), so a 30-60 s failover
    // stall is 5-10 event minutes: grace must cover that or views go late (see bench/README.md).
    'grace-ms': { type: 'number', integer: true, min: 0, default: 1_200_000 },
    'commit-interval-ms': count(200),
    'work-dir': { type: 'string' },
    keep: { type: 'boolean' },
    'no-report': { type: 'boolean' },
  },
} as const;

const bootstrapServers = {
  type: 'string',
  env: 'KAFKA_BOOTSTRAP_SERVERS',
  default: '127.0.0.1:19092',
} as const;
const required = { type: 'string', required: true } as const;

export const TRIBUTARY_PEER_CLI = {
  usage: `usage: node bench/dist/peers/tributary.js --mode full-parquet|full-topic|passthrough|join
    --app-id ID --input-topic T[,FLUSH_T] --campaigns T --output TOPIC_OR_DIR --dlq T --late T --state-dir DIR
    [--click-topic T (join)] [--bootstrap-servers B] [--guarantee at-least-once|exactly-once] [--commit-ms 1000] [--grace-ms 900000]`,
  flags: {
    mode: { type: 'enum', values: ['full-parquet', 'full-topic', 'passthrough', 'join'] },
    'click-topic': { type: 'string' },
    'bootstrap-servers': bootstrapServers,
    'app-id': required,
    'input-topic': required,
    campaigns: required,
    output: required,
    dlq: required,
    late: required,
    'state-dir': required,
    guarantee: { type: 'enum', values: ['at-least-once', 'exactly-once'], default: 'at-least-once' },
    'commit-ms': countOrNone,
    'grace-ms': { type: 'number', integer: true, min: 0 },
  },
} as const;

export const CEILING_CLI = {
  usage:
    'usage: node bench/dist/peers/ceiling.js --input-topic T --expect N --group G [--bootstrap-servers B]',
  flags: {
    'bootstrap-servers': bootstrapServers,
    'input-topic': required,
    expect: countOrNone,
    group: required,
  },
} as const;

export const HOSTILE_MEMORY_CLI = {
  usage: `usage: npx tsx bench/src/hostile-memory.ts [--hostile 10000,100000] [--valid 5000] [--near-limit 10]
    [--max-old-space-mb N] [--bootstrap-servers B]   (one campaign-views run per --hostile size; sizes are whole numbers >= 1)`,
  flags: {
    hostile: { type: 'list', default: ['10000', '100000'] },
    valid: count(5000),
    'near-limit': { type: 'number', integer: true, min: 0, default: 10 },
    // The child's V8 old-space limit: a run that completes under a small one needs no more memory.
    'max-old-space-mb': countOrNone,
    'bootstrap-servers': bootstrapServers,
  },
} as const;

/** A list flag of whole numbers >= 1. */
export function counts(values: readonly string[], flag: string): number[] {
  return values.map((v) => {
    const n = Number(v);
    if (!Number.isSafeInteger(n) || n < 1) throw new UsageError(`--${flag}: ${v} is not a whole number >= 1`);
    return n;
  });
}

export const PROFILE_TOP_CLI = {
  usage: 'usage: npx tsx bench/src/profile-top.ts <file.cpuprofile> [--top 15] [--records N]',
  flags: { top: count(15), records: countOrNone },
  positionals: true,
} as const;

/** For flags without a default that a script cannot run without (enums and numbers). */
export function need<T>(value: T | undefined, flag: string): T {
  if (value === undefined) throw new UsageError(`--${flag} is required`);
  return value;
}

const CURVES = ['input', 'windows', 'instances', 'restore'] as const;
export type Curve = (typeof CURVES)[number];

export const SCALE_CLI = {
  usage: `usage: npx tsx bench/src/scale.ts [--curves input,windows,instances,restore]
    [--sizes 250000,1000000,4000000] [--windows 1000000:30,1000000:770,1000000:7700,4000000:22000]
    [--instances 1,2,4] [--instance-records 1000000] [--restore 4000000:22000] [--partitions 8]
    [--timeout-s S] [--suffix -scale]
  Data sets are RECORDS:CAMPAIGNS (--sizes use 1,000 campaigns); every point runs trib-full-topic-alo
  once with the suite's correctness gate; --restore times a fresh instance restoring that run's changelogs.`,
  flags: {
    curves: { type: 'list', values: CURVES, default: [...CURVES] },
    sizes: { type: 'list', default: ['250000', '1000000', '4000000'] },
    windows: { type: 'list', default: ['1000000:30', '1000000:770', '1000000:7700', '4000000:22000'] },
    instances: { type: 'list', default: ['1', '2', '4'] },
    'instance-records': count(1_000_000),
    restore: { type: 'list', default: ['4000000:22000'] },
    partitions: count(8),
    'timeout-s': { type: 'number', min: 1 },
    suffix: { type: 'string', default: '-scale' },
  },
} as const;
export const parseScaleCli = (argv: readonly string[], env: Env = process.env) =>
  parseFlags(SCALE_CLI, argv, env);

export const SCALE_REPORT_CLI = {
  usage:
    'usage: npx tsx bench/src/scale-report.ts <results.json>... [--suffix -scale]  (merges scale.ts results)',
  flags: { suffix: { type: 'string', default: '-scale' } },
  positionals: true,
} as const;

/** `RECORDS:CAMPAIGNS` pairs of whole numbers >= 1 (a list flag). */
export function dataSets(values: readonly string[], flag: string): { records: number; campaigns: number }[] {
  return values.map((v) => {
    const [r, c, ...rest] = v.split(':');
    const [records, campaigns] = counts([r ?? '', c ?? ''], flag);
    if (rest.length > 0 || records === undefined || campaigns === undefined)
      throw new UsageError(`--${flag}: ${v} is not RECORDS:CAMPAIGNS`);
    return { records, campaigns };
  });
}
