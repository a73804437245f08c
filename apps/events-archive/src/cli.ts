import { commonFlags, PRODUCE_FLAGS, parseFlags, SECURITY_USAGE, UsageError } from '@tributary/app-kit';

export const ARCHIVE_CLI = {
  usage: `usage: tsx apps/events-archive/src/main.ts <produce|streams> [flags]

common:   --bootstrap-servers (env KAFKA_BOOTSTRAP_SERVERS, default 127.0.0.1:19092)
          --input-topic (env EVENTS_TOPIC, default events)
          --log-level debug|info|warn|error (env LOG_LEVEL, default info)
produce:  --count 10000 (0 = until Ctrl-C)  --rate 0 (records/s, 0 = max)  --seed 1
          --start-date YYYY-MM-DD (default today, UTC)  --days 1 (event times spread over this many days)
          --invalid-ratio 0 (0-1, share of malformed records, for the DLQ)  --batch-size 1000
streams:  --output (env OUTPUT_DIR, default output)  --dlq-topic (env EVENTS_DLQ_TOPIC, default events-dlq)
          --application-id (env APPLICATION_ID, default events-archive)
          --state-dir (env STATE_DIR, default .state)  --partitions 3 (when creating the input topic)
          --commit-interval-ms 60000  --max-records-per-file 100000  --max-file-bytes (none)
          --max-file-age-ms 10000  --max-open-files (none)  --formats parquet,csv
${SECURITY_USAGE}`,
  commands: ['produce', 'streams'],
  flags: {
    ...commonFlags({ default: 'events', env: 'EVENTS_TOPIC' }),
    ...PRODUCE_FLAGS,
    'start-date': { type: 'string' },
    days: { type: 'number', min: 1, default: 1 },
    'invalid-ratio': { type: 'number', min: 0, max: 1, default: 0 },
    output: { type: 'string', env: 'OUTPUT_DIR', default: 'output' },
    'dlq-topic': { type: 'string', env: 'EVENTS_DLQ_TOPIC', default: 'events-dlq' },
    'application-id': { type: 'string', env: 'APPLICATION_ID', default: 'events-archive' },
    'state-dir': { type: 'string', env: 'STATE_DIR', default: '.state' },
    partitions: { type: 'number', integer: true, min: 1, default: 3 },
    'commit-interval-ms': { type: 'number', integer: true, min: 1, default: 60_000 },
    'max-records-per-file': { type: 'number', integer: true, min: 1, default: 100_000 },
    'max-file-bytes': { type: 'number', integer: true, min: 1 },
    'max-file-age-ms': { type: 'number', integer: true, min: 1, default: 10_000 },
    'max-open-files': { type: 'number', integer: true, min: 1 },
    formats: { type: 'list', values: ['parquet', 'csv'], default: ['parquet', 'csv'] },
  },
} as const;

/** The events-archive command line, validated (throws UsageError); main.ts exits 2 on it. */
export function parseArchiveCli(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>> = process.env,
) {
  const parsed = parseFlags(ARCHIVE_CLI, argv, env);
  const start = parsed.values['start-date'];
  if (
    start !== undefined &&
    !(/^\d{4}-\d{2}-\d{2}$/.test(start) && Number.isFinite(Date.parse(`${start}T00:00:00Z`)))
  )
    throw new UsageError(`--start-date must be a date YYYY-MM-DD (got ${JSON.stringify(start)})`);
  return parsed;
}
