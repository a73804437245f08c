import { parseArgs } from 'node:util';
import { jsonLogger, kafkajsPort, type LogLevel, runUntilSignal, Tributary } from '@tributary/core';
import { levelDbBackend } from '@tributary/state';
import { MALFORMED_VOTERS, mulberry32, produceLoop, voterGenerator } from './producer.js';
import { buildTopology } from './topology.js';

const USAGE = `usage: tsx apps/voters/src/main.ts <produce|streams> [flags]

common:   --bootstrap-servers (env KAFKA_BOOTSTRAP_SERVERS, default 127.0.0.1:19092)
          --topic (env VOTERS_TOPIC, default voters)  --log-level (env LOG_LEVEL, default info)
produce:  --count 10000 (0 = until Ctrl-C)  --rate 0 (records/s, 0 = max)  --seed 1
          --invalid-ratio 0 (share of malformed records, for the DLQ)  --batch-size 1000
streams:  --output-topic (env VOTER_STATS_TOPIC, default voter-stats)
          --dlq-topic (env VOTERS_DLQ_TOPIC, default voters-dlq)
          --application-id (env APPLICATION_ID, default voters)  --state-dir (env STATE_DIR, default .state)
          --partitions 3 (when creating missing topics)  --commit-interval-ms 1000
          --refresh-ms 1000 (console table)  --no-table (no console table)`;

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    'bootstrap-servers': { type: 'string' },
    topic: { type: 'string' },
    'log-level': { type: 'string' },
    count: { type: 'string', default: '10000' },
    rate: { type: 'string', default: '0' },
    seed: { type: 'string', default: '1' },
    'invalid-ratio': { type: 'string', default: '0' },
    'batch-size': { type: 'string', default: '1000' },
    'output-topic': { type: 'string' },
    'dlq-topic': { type: 'string' },
    'application-id': { type: 'string' },
    'state-dir': { type: 'string' },
    partitions: { type: 'string', default: '3' },
    'commit-interval-ms': { type: 'string', default: '1000' },
    'refresh-ms': { type: 'string', default: '1000' },
    'no-table': { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});

function num(name: keyof typeof values, min = 0): number {
  const n = Number(values[name]);
  if (!Number.isFinite(n) || n < min) throw new Error(`--${name} must be a number >= ${min}`);
  return n;
}

const env = process.env;
const bootstrapServers = values['bootstrap-servers'] ?? env.KAFKA_BOOTSTRAP_SERVERS ?? '127.0.0.1:19092';
const topic = values.topic ?? env.VOTERS_TOPIC ?? 'voters';
const logger = jsonLogger((values['log-level'] ?? env.LOG_LEVEL ?? 'info') as LogLevel);

async function produce(): Promise<number> {
  const port = kafkajsPort({ bootstrapServers, clientId: 'voters-producer', logger });
  const producer = port.producer({ idempotent: true });
  await producer.connect();
  const controller = new AbortController();
  process.once('SIGINT', () => controller.abort());
  process.once('SIGTERM', () => controller.abort());
  const seed = num('seed');
  const invalidRatio = num('invalid-ratio');
  const voters = voterGenerator(seed);
  // A separate stream for the malformed draws keeps the valid voters identical for a seed.
  const rnd = mulberry32(seed ^ 0x5bd1e995);
  try {
    const sent = await produceLoop<{ key: string; value: string }>({
      producer,
      topic,
      count: num('count'),
      rate: num('rate'),
      batchSize: num('batch-size', 1),
      signal: controller.signal,
      next: () => {
        const v = voters.next().value as { key: string; value: object };
        if (rnd() < invalidRatio) {
          return { key: v.key, value: MALFORMED_VOTERS[Math.floor(rnd() * MALFORMED_VOTERS.length)]! };
        }
        return { key: v.key, value: JSON.stringify(v.value) };
      },
      encode: (r) => r,
      onProgress: (n) => {
        if (n % 10_000 === 0) logger.info('produced', { topic, records: n });
      },
    });
    logger.info('done', { topic, records: sent });
    return 0;
  } finally {
    await producer.disconnect();
  }
}

async function streams(): Promise<number> {
  const outputTopic = values['output-topic'] ?? env.VOTER_STATS_TOPIC ?? 'voter-stats';
  const dlqTopic = values['dlq-topic'] ?? env.VOTERS_DLQ_TOPIC ?? 'voters-dlq';
  const applicationId = values['application-id'] ?? env.APPLICATION_ID ?? 'voters';
  const stateDir = values['state-dir'] ?? env.STATE_DIR ?? '.state';
  const partitions = num('partitions', 1);
  const port = kafkajsPort({ bootstrapServers, clientId: applicationId, logger });
  const admin = port.admin();
  await admin.connect();
  try {
    // The output topic too: the runtime's producer never auto-creates topics. Existing ones are kept.
    await admin.createTopics([
      { name: topic, partitions },
      { name: outputTopic, partitions },
    ]);
  } finally {
    await admin.disconnect();
  }
  const topology = buildTopology({
    inputTopic: topic,
    outputTopic,
    console: values['no-table'] ? false : { refreshMs: num('refresh-ms') },
  });
  const app = new Tributary(topology, {
    applicationId,
    bootstrapServers,
    kafka: port,
    stateBackend: levelDbBackend({ stateDir }),
    commitIntervalMs: num('commit-interval-ms', 1),
    errorPolicy: { mode: 'dead-letter', topic: dlqTopic },
    logger,
  });
  return runUntilSignal(app);
}

const command = positionals[0];
if (values.help || (command !== 'produce' && command !== 'streams')) {
  console.error(USAGE);
  process.exit(values.help ? 0 : 2);
}
// Exit explicitly: client sockets and timers must not keep a finished process alive.
(command === 'produce' ? produce() : streams()).then(
  (code) => process.exit(code),
  (err: unknown) => {
    logger.error('failed', { error: err instanceof Error ? err.message : String(err) });
    process.exit(1);
  },
);
