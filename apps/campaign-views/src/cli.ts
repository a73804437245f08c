import {
  commonFlags,
  PRODUCE_FLAGS,
  parseFlags,
  SECURITY_USAGE,
  SERVER_FLAGS,
  SERVER_FLAGS_USAGE,
  UsageError,
} from '@tributary/app-kit';
import { DEFAULT_CAMPAIGNS_CSV } from './campaigns.js';

const fraction = { type: 'number', min: 0, max: 1, default: 0 } as const;

export const CAMPAIGN_VIEWS_CLI = {
  usage: `usage: campaign-views <load-campaigns|produce|streams> [flags]
  load-campaigns   publish the campaigns CSV to the compacted campaigns topic
  produce          produce view logs (--count, --rate, --seed, --batch-size, --start-time, --span-ms,
                   --late N, --malformed / --out-of-order / --unknown-campaigns 0-1)
  streams          run the streams app until SIGTERM/SIGINT (--output, --state-dir, --application-id,
                   --guarantee at-least-once|exactly-once, --grace-ms, --idle-timeout-ms, --commit-interval-ms,
                   --event-time watermark|stream-time, --partition-idle-ms,
                   --sessions-output DIR: also write per-banner view sessions there)
common flags: --bootstrap-servers (KAFKA_BOOTSTRAP_SERVERS), --input-topic (VIEW_LOG_TOPIC),
  --campaigns-topic (CAMPAIGNS_TOPIC), --campaigns-csv (CAMPAIGNS_CSV), --partitions,
  --log-level debug|info|warn|error (LOG_LEVEL)
${SECURITY_USAGE}
${SERVER_FLAGS_USAGE}`,
  commands: ['load-campaigns', 'produce', 'streams'],
  flags: {
    ...commonFlags({ default: 'view_log', env: 'VIEW_LOG_TOPIC' }),
    ...PRODUCE_FLAGS,
    ...SERVER_FLAGS,
    'campaigns-topic': { type: 'string', env: 'CAMPAIGNS_TOPIC', default: 'campaigns' },
    'campaigns-csv': { type: 'string', env: 'CAMPAIGNS_CSV', default: DEFAULT_CAMPAIGNS_CSV },
    partitions: { type: 'number', integer: true, min: 1, default: 3 },
    'start-time': { type: 'string' },
    'span-ms': { type: 'number', integer: true, min: 1, default: 300_000 },
    late: { type: 'number', integer: true, min: 0, default: 0 },
    malformed: fraction,
    'out-of-order': fraction,
    'unknown-campaigns': fraction,
    output: { type: 'string', env: 'OUTPUT_DIR', default: '.output/campaign-views' },
    'sessions-output': { type: 'string', env: 'SESSIONS_OUTPUT_DIR' },
    'state-dir': { type: 'string', env: 'STATE_DIR', default: '.state' },
    'application-id': { type: 'string', env: 'APPLICATION_ID', default: 'campaign-views' },
    'grace-ms': { type: 'number', integer: true, min: 0, default: 10_000 },
    'idle-timeout-ms': { type: 'number', integer: true, min: 1, default: 30_000 },
    'commit-interval-ms': { type: 'number', integer: true, min: 1 },
    guarantee: { type: 'enum', values: ['at-least-once', 'exactly-once'], default: 'at-least-once' },
    'event-time': { type: 'enum', values: ['watermark', 'stream-time'], default: 'watermark' },
    'partition-idle-ms': { type: 'number', integer: true, min: 1, default: 10_000 },
  },
} as const;

/** The campaign-views command line, validated (throws UsageError); main.ts exits 2 on it. */
export function parseCampaignViewsCli(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>> = process.env,
) {
  const parsed = parseFlags(CAMPAIGN_VIEWS_CLI, argv, env);
  const start = parsed.values['start-time'];
  if (start !== undefined && !Number.isFinite(Date.parse(start)))
    throw new UsageError(`--start-time must be an ISO date-time (got ${JSON.stringify(start)})`);
  return parsed;
}
