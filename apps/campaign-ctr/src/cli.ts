import { DEFAULT_CAMPAIGNS_CSV } from '@tributary/app-campaign-views';
import { commonFlags, PRODUCE_FLAGS, parseFlags, SECURITY_USAGE, UsageError } from '@tributary/app-kit';
import { CAMPAIGN_NETWORKS_TOPIC, DEFAULT_NETWORKS_CSV } from './networks.js';

const fraction = (fallback = 0) => ({ type: 'number', min: 0, max: 1, default: fallback }) as const;

export const CAMPAIGN_CTR_CLI = {
  usage: `usage: campaign-ctr <load-campaigns|load-networks|produce|streams> [flags]
  load-campaigns   publish the campaigns CSV to the compacted campaigns topic
  load-networks    publish the networks CSV (--networks-csv) to the compacted networks topic
  produce          produce view logs and their click logs in event-time order (--count views, --rate,
                   --seed, --batch-size, --start-time, --span-ms, --late N, --malformed / --out-of-order /
                   --unknown-campaigns 0-1 for views, --click-rate / --orphans / --click-malformed 0-1)
  streams          run the streams app until SIGTERM/SIGINT (--output, --state-dir, --application-id,
                   --guarantee at-least-once|exactly-once, --click-window-ms, --join-grace-ms, --grace-ms,
                   --idle-timeout-ms, --commit-interval-ms); with --networks-topic also keeps the
                   campaigns joined with their network (foreign-key join) in --campaign-networks-topic
common flags: --bootstrap-servers (KAFKA_BOOTSTRAP_SERVERS), --input-topic (VIEW_LOG_TOPIC),
  --click-topic (CLICK_LOG_TOPIC), --late-topic (CTR_LATE_TOPIC), --campaigns-topic (CAMPAIGNS_TOPIC),
  --campaigns-csv (CAMPAIGNS_CSV), --networks-topic (NETWORKS_TOPIC), --networks-csv (NETWORKS_CSV),
  --campaign-networks-topic (CAMPAIGN_NETWORKS_TOPIC), --partitions, --log-level debug|info|warn|error (LOG_LEVEL)
${SECURITY_USAGE}`,
  commands: ['load-campaigns', 'load-networks', 'produce', 'streams'],
  flags: {
    ...commonFlags({ default: 'view_log', env: 'VIEW_LOG_TOPIC' }),
    ...PRODUCE_FLAGS,
    'click-topic': { type: 'string', env: 'CLICK_LOG_TOPIC', default: 'click_log' },
    'late-topic': { type: 'string', env: 'CTR_LATE_TOPIC', default: 'campaign-ctr-late' },
    'campaigns-topic': { type: 'string', env: 'CAMPAIGNS_TOPIC', default: 'campaigns' },
    'campaigns-csv': { type: 'string', env: 'CAMPAIGNS_CSV', default: DEFAULT_CAMPAIGNS_CSV },
    // Opt-in: without it `streams` runs the CTR topology alone, as before.
    'networks-topic': { type: 'string', env: 'NETWORKS_TOPIC' },
    'networks-csv': { type: 'string', env: 'NETWORKS_CSV', default: DEFAULT_NETWORKS_CSV },
    'campaign-networks-topic': {
      type: 'string',
      env: 'CAMPAIGN_NETWORKS_TOPIC',
      default: CAMPAIGN_NETWORKS_TOPIC,
    },
    partitions: { type: 'number', integer: true, min: 1, default: 3 },
    'start-time': { type: 'string' },
    'span-ms': { type: 'number', integer: true, min: 1, default: 300_000 },
    late: { type: 'number', integer: true, min: 0, default: 0 },
    malformed: fraction(),
    'out-of-order': fraction(),
    'unknown-campaigns': fraction(),
    'click-rate': fraction(0.1),
    orphans: fraction(),
    'click-malformed': fraction(),
    output: { type: 'string', env: 'OUTPUT_DIR', default: '.output/campaign-ctr' },
    'state-dir': { type: 'string', env: 'STATE_DIR', default: '.state' },
    'application-id': { type: 'string', env: 'APPLICATION_ID', default: 'campaign-ctr' },
    'click-window-ms': { type: 'number', integer: true, min: 0, default: 600_000 },
    'join-grace-ms': { type: 'number', integer: true, min: 0, default: 60_000 },
    'grace-ms': { type: 'number', integer: true, min: 0 },
    'idle-timeout-ms': { type: 'number', integer: true, min: 1, default: 30_000 },
    'commit-interval-ms': { type: 'number', integer: true, min: 1 },
    guarantee: { type: 'enum', values: ['at-least-once', 'exactly-once'], default: 'at-least-once' },
  },
} as const;

/** The campaign-ctr command line, validated (throws UsageError); main.ts exits 2 on it. */
export function parseCampaignCtrCli(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>> = process.env,
) {
  const parsed = parseFlags(CAMPAIGN_CTR_CLI, argv, env);
  const v = parsed.values;
  const start = v['start-time'];
  if (start !== undefined && !Number.isFinite(Date.parse(start)))
    throw new UsageError(`--start-time must be an ISO date-time (got ${JSON.stringify(start)})`);
  const grace = v['grace-ms'];
  if (grace !== undefined && grace < v['click-window-ms'])
    throw new UsageError(
      `--grace-ms must be at least --click-window-ms (${v['click-window-ms']}): a minute's clicks come up to a click window after its views (got ${grace})`,
    );
  return parsed;
}
