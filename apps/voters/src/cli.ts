import {
  commonFlags,
  PRODUCE_FLAGS,
  parseFlags,
  SECURITY_USAGE,
  SERVER_FLAGS,
  SERVER_FLAGS_USAGE,
} from '@tributary/app-kit';

export const VOTERS_CLI = {
  usage: `usage: tsx apps/voters/src/main.ts <produce|streams> [flags]

common:   --bootstrap-servers (env KAFKA_BOOTSTRAP_SERVERS, default 127.0.0.1:19092)
          --input-topic (env VOTERS_TOPIC, default voters)
          --log-level debug|info|warn|error (env LOG_LEVEL, default info)
produce:  --count 10000 (0 = until Ctrl-C)  --rate 0 (records/s, 0 = max)  --seed 1
          --invalid-ratio 0 (0-1, share of malformed records, for the DLQ)  --batch-size 1000
streams:  --output-topic (env VOTER_STATS_TOPIC, default voter-stats)
          --dlq-topic (env VOTERS_DLQ_TOPIC, default voters-dlq)
          --application-id (env APPLICATION_ID, default voters)  --state-dir (env STATE_DIR, default .state)
          --partitions 3 (when creating missing topics)  --commit-interval-ms 1000
          --refresh-ms 1000 (console table)  --no-table (no console table)
${SECURITY_USAGE}
${SERVER_FLAGS_USAGE}`,
  commands: ['produce', 'streams'],
  flags: {
    ...commonFlags({ default: 'voters', env: 'VOTERS_TOPIC' }),
    ...PRODUCE_FLAGS,
    ...SERVER_FLAGS,
    'invalid-ratio': { type: 'number', min: 0, max: 1, default: 0 },
    'output-topic': { type: 'string', env: 'VOTER_STATS_TOPIC', default: 'voter-stats' },
    'dlq-topic': { type: 'string', env: 'VOTERS_DLQ_TOPIC', default: 'voters-dlq' },
    'application-id': { type: 'string', env: 'APPLICATION_ID', default: 'voters' },
    'state-dir': { type: 'string', env: 'STATE_DIR', default: '.state' },
    partitions: { type: 'number', integer: true, min: 1, default: 3 },
    'commit-interval-ms': { type: 'number', integer: true, min: 1, default: 1000 },
    'refresh-ms': { type: 'number', integer: true, min: 1, default: 1000 },
    'no-table': { type: 'boolean' },
  },
} as const;

/** The voters command line, validated (throws UsageError); main.ts exits 2 on it. */
export const parseVotersCli = (
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>> = process.env,
) => parseFlags(VOTERS_CLI, argv, env);
