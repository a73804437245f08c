/**
 * Tributary peer (child process of run-suite): the campaign-views topology with a Parquet sink or a
 * topic output, or a stateless pass-through (parse, validate, produce). Runs until SIGTERM, then
 * closes gracefully and prints its metrics and process.resourceUsage() as one JSON line.
 *
 *   node --import tsx bench/src/peers/tributary.ts --mode full-parquet|full-topic|passthrough
 *     --app-id ID --input T --campaigns T --output TOPIC_OR_DIR --dlq T --late T --state-dir DIR
 *     [--guarantee at-least-once|exactly-once] [--commit-ms 1000] [--grace-ms 900000]
 */
import { buildCampaignViewsTopology, parseView, type View } from '@tributary/app-campaign-views';
import { jsonLogger, Serdes, StreamsBuilder, type Topology, Tributary } from '@tributary/core';
import { levelDbBackend } from '@tributary/state';
import { BOOTSTRAP, GRACE_MS, parseArgs } from '../common.js';

const a = parseArgs(process.argv.slice(2));
const need = (k: string): string => {
  const v = a.get(k);
  if (v === undefined) throw new Error(`missing --${k}`);
  return v;
};
const mode = need('mode');
// --input may be `topic,flushTopic`: StreamsBuilder.stream() takes several topics.
const inputs = need('input').split(',');
const input = inputs[0] as string;
const output = need('output');

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

const topology =
  mode === 'passthrough'
    ? passThrough()
    : buildCampaignViewsTopology({
        // CampaignViewsOptions.inputTopic is typed `string`, but it only goes to b.stream(), which accepts
        // a list; lateTopic and the DLQ are named explicitly, so nothing else derives names from it.
        inputTopic: (inputs.length === 1 ? input : inputs) as unknown as string,
        campaignsTopic: need('campaigns'),
        lateTopic: need('late'),
        output: mode === 'full-parquet' ? { kind: 'parquet', dir: output } : { kind: 'topic', topic: output },
        graceMs: Number(a.get('grace-ms') ?? GRACE_MS),
      });

const guarantee = (a.get('guarantee') ?? 'at-least-once') as 'at-least-once' | 'exactly-once';
const app = new Tributary(topology, {
  applicationId: need('app-id'),
  bootstrapServers: a.get('bootstrap') ?? BOOTSTRAP,
  stateBackend: levelDbBackend({ stateDir: need('state-dir') }),
  processingGuarantee: guarantee,
  commitIntervalMs: Number(a.get('commit-ms') ?? (guarantee === 'exactly-once' ? 100 : 1000)),
  errorPolicy: { mode: 'dead-letter', topic: need('dlq') },
  logger: jsonLogger((process.env.BENCH_LOG_LEVEL as 'warn' | undefined) ?? 'warn'),
});

const emit = (o: Record<string, unknown>) =>
  process.stdout.write(`${JSON.stringify({ ...o, t: Date.now() })}\n`);
app.onStateChange((to) => emit({ event: 'state', state: to }));

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
