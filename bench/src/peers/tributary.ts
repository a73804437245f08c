/**
 * Tributary peer (child process of run-suite): the campaign-views topology with a Parquet sink or a
 * topic output, a stateless pass-through (parse, validate, produce), or the view-click stream-stream
 * join (join-topology.ts). Runs until SIGTERM, then
 * closes gracefully and prints its metrics and process.resourceUsage() as one JSON line.
 *
 *   node bench/dist/peers/tributary.js --mode full-parquet|full-topic|passthrough|join
 *     --app-id ID --input-topic T --campaigns T --output TOPIC_OR_DIR --dlq T --late T --state-dir DIR
 *     [--click-topic T (join)] [--bootstrap-servers B] [--guarantee at-least-once|exactly-once] [--commit-ms 1000] [--grace-ms 900000]
 *
 * (the bundle `pnpm build` writes; from source: `node --import tsx bench/src/peers/tributary.ts ...`)
 */
import { buildCampaignViewsTopology, parseView, type View } from '@tributary/app-campaign-views';
import { parseCliOrExit, parseFlags } from '@tributary/app-kit';
import { jsonLogger, Serdes, StreamsBuilder, type Topology, Tributary } from '@tributary/core';
import { levelDbBackend } from '@tributary/state';
import { need, TRIBUTARY_PEER_CLI } from '../cli.js';
import { GRACE_MS } from '../common.js';
import { CLICK_WINDOW_MS, JOIN_GRACE_MS } from '../join-data.js';
import { joinTopology } from './join-topology.js';

const { values: a } = parseCliOrExit(TRIBUTARY_PEER_CLI.usage, () => {
  const parsed = parseFlags(TRIBUTARY_PEER_CLI, process.argv.slice(2));
  need(parsed.values.mode, 'mode');
  return parsed;
});
const mode = a.mode;
// --input-topic may be `topic,flushTopic`: StreamsBuilder.stream() takes several topics.
const inputs = a['input-topic'].split(',');
const input = inputs[0] as string;
const output = a.output;

const viewSerde = Serdes.custom<View>(
  (v) => Buffer.from(JSON.stringify(v)),
  (b) => parseView(b.toString('utf8')),
);

function passThrough(): Topology {
  const b = new StreamsBuilder();
  // Parse + validate in the source serde (invalid -> DLQ by the error policy), then write the
  // normalized view, as the Kafka Streams peer does.
  b.stream<string | null, View>(input, { valueSerde: viewSerde, name: 'view-log' })
    .filter((_k, v) => v.end >= v.start, { name: 'valid' })
    .to(output, { name: 'to-output-topic', keySerde: Serdes.string(), valueSerde: viewSerde });
  return b.build();
}

const clickTopic = a['click-topic'];
const topology =
  mode === 'passthrough'
    ? passThrough()
    : mode === 'join'
      ? joinTopology({
          viewTopic: input,
          clickTopic: need(clickTopic, 'click-topic'),
          output,
          clickWindowMs: CLICK_WINDOW_MS,
          graceMs: a['grace-ms'] ?? JOIN_GRACE_MS,
        })
      : buildCampaignViewsTopology({
          // CampaignViewsOptions.inputTopic is typed `string`, but it only goes to b.stream(), which accepts
          // a list; lateTopic and the DLQ are named explicitly, so nothing else derives names from it.
          inputTopic: (inputs.length === 1 ? input : inputs) as unknown as string,
          campaignsTopic: a.campaigns,
          lateTopic: a.late,
          output:
            mode === 'full-parquet' ? { kind: 'parquet', dir: output } : { kind: 'topic', topic: output },
          graceMs: a['grace-ms'] ?? GRACE_MS,
        });

const guarantee = a.guarantee;
const app = new Tributary(topology, {
  applicationId: a['app-id'],
  bootstrapServers: a['bootstrap-servers'],
  stateBackend: levelDbBackend({ stateDir: a['state-dir'] }),
  processingGuarantee: guarantee,
  commitIntervalMs: a['commit-ms'] ?? (guarantee === 'exactly-once' ? 100 : 1000),
  errorPolicy: { mode: 'dead-letter', topic: a.dlq },
  // The flush records come on their own topic, written only once the input is committed: its
  // partitions are empty until then, and the input's are quiet after it. Each holds the watermark
  // until it counts as idle; 1 s instead of the default 10 s keeps that wait out of the figures.
  partitionIdleMs: 1000,
  // BENCH_EVENT_TIME=stream-time measures the same code on Kafka Streams' clock (no watermark stamps
  // or records), which is what the watermarks cost is measured against.
  ...(process.env.BENCH_EVENT_TIME === 'stream-time' ? { eventTime: 'stream-time' as const } : {}),
  logger: jsonLogger((process.env.BENCH_LOG_LEVEL as 'warn' | undefined) ?? 'warn'),
  // BENCH_HTTP_PORT=0 runs with the HTTP server, metrics and instance heartbeats on (issue #19's
  // budget: at most 3 % fewer records/s than without).
  ...(process.env.BENCH_HTTP_PORT !== undefined
    ? { server: { port: Number(process.env.BENCH_HTTP_PORT) } }
    : {}),
});

const emit = (o: Record<string, unknown>) =>
  process.stdout.write(`${JSON.stringify({ ...o, t: Date.now() })}\n`);
app.onStateChange((to) => emit({ event: 'state', state: to }));
// Start and end of each store restore (every store restores from its changelog in a fresh state dir):
// scale.ts times the restore of a kept run's changelogs from them.
app.onRestoreProgress((e) => {
  if (e.phase === 'progress') return;
  emit({
    event: 'restore',
    phase: e.phase,
    task: e.taskId,
    store: e.store,
    from: String(e.fromOffset),
    to: String(e.toOffset),
    restored: e.restored,
    elapsedMs: Math.round(e.elapsedMs),
  });
});

let closing = false;
const shutdown = async (signal: string) => {
  if (closing) return;
  closing = true;
  let error: string | undefined;
  try {
    await app.close();
  } catch (err) {
    error = String((err as Error)?.stack ?? err);
  }
  emit({ event: 'stopped', signal, error, metrics: app.metrics(), rusage: process.resourceUsage() });
  process.exit(error ? 1 : 0);
};
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));

try {
  await app.start();
  emit({ event: 'started' });
  await app.done;
} catch (err) {
  emit({ event: 'failed', error: String((err as Error)?.stack ?? err), metrics: app.metrics() });
  process.exit(1);
}
