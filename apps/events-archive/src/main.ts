import { parseArgs } from 'node:util';
import { jsonLogger, kafkajsPort, type LogLevel, runUntilSignal, Tributary } from '@tributary/core';
import type { RollingOptions } from '@tributary/sinks';
import { levelDbBackend } from '@tributary/state';
import { eventGenerator, MALFORMED_EVENTS, mulberry32, produceLoop } from './producer.js';
import { buildTopology } from './topology.js';

const USAGE = `usage: tsx apps/events-archive/src/main.ts <produce|streams> [flags]

common:   --bootstrap-servers (env KAFKA_BOOTSTRAP_SERVERS, default 127.0.0.1:19092)
          --topic (env EVENTS_TOPIC, default events)  --log-level (env LOG_LEVEL, default info)
produce:  --count 10000 (0 = until Ctrl-C)  --rate 0 (records/s, 0 = max)  --seed 1
          --start-date YYYY-MM-DD (default today, UTC)  --days 1 (event times spread over this many days)
          --invalid-ratio 0 (share of malformed records, for the DLQ)  --batch-size 1000
streams:  --output (env OUTPUT_DIR, default output)  --dlq-topic (env EVENTS_DLQ_TOPIC, default events-dlq)
          --application-id (env APPLICATION_ID, default events-archive)
          --state-dir (env STATE_DIR, default .state)  --partitions 3 (when creating the input topic)
          --commit-interval-ms 60000  --max-records-per-file 100000  --max-file-bytes (none)
          --max-file-age-ms 10000  --max-open-files (none)  --formats parquet,csv`;

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    'bootstrap-servers': { type: 'string' },
    topic: { type: 'string' },
    'log-level': { type: 'string' },
    count: { type: 'string', default: '10000' },
    rate: { type: 'string', default: '0' },
    seed: { type: 'string', default: '1' },
    'start-date': { type: 'string' },
    days: { type: 'string', default: '1' },
    'invalid-ratio': { type: 'string', default: '0' },
    'batch-size': { type: 'string', default: '1000' },
    output: { type: 'string' },
    'dlq-topic': { type: 'string' },
    'application-id': { type: 'string' },
    'state-dir': { type: 'string' },
    partitions: { type: 'string', default: '3' },
    'commit-interval-ms': { type: 'string', default: '60000' },
    'max-records-per-file': { type: 'string', default: '100000' },
    'max-file-bytes': { type: 'string' },
    'max-file-age-ms': { type: 'string', default: '10000' },
    'max-open-files': { type: 'string' },
    formats: { type: 'string', default: 'parquet,csv' },
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
const topic = values.topic ?? env.EVENTS_TOPIC ?? 'events';
const logger = jsonLogger((values['log-level'] ?? env.LOG_LEVEL ?? 'info') as LogLevel);

async function produce(): Promise<number> {
  const start = values['start-date'] ?? new Date().toISOString().slice(0, 10);
  const startMs = Date.parse(`${start}T00:00:00Z`);
  if (!Number.isFinite(startMs)) throw new Error('--start-date must be YYYY-MM-DD');
  const port = kafkajsPort({ bootstrapServers, clientId: 'events-producer', logger });
  const producer = port.producer({ idempotent: true });
  await producer.connect();
  const controller = new AbortController();
  process.once('SIGINT', () => controller.abort());
  process.once('SIGTERM', () => controller.abort());
  const seed = num('seed');
  const invalidRatio = num('invalid-ratio');
  const events = eventGenerator({ seed, startMs, spanMs: num('days', 1) * 86_400_000 });
  // A separate stream for the malformed draws keeps the valid events identical for a seed.
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
        const e = events.next().value as { key: string; value: object };
        if (rnd() < invalidRatio) {
          return { key: e.key, value: MALFORMED_EVENTS[Math.floor(rnd() * MALFORMED_EVENTS.length)]! };
        }
        return { key: e.key, value: JSON.stringify(e.value) };
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

function rolling(): RollingOptions {
  const opt = (name: keyof typeof values) => (values[name] === undefined ? undefined : num(name, 1));
  const r = {
    maxRecords: opt('max-records-per-file'),
    maxBytes: opt('max-file-bytes'),
    maxAgeMs: opt('max-file-age-ms'),
    maxOpenFiles: opt('max-open-files'),
  };
  return Object.fromEntries(Object.entries(r).filter(([, v]) => v !== undefined)) as RollingOptions;
}

async function streams(): Promise<number> {
  const outputDir = values.output ?? env.OUTPUT_DIR ?? 'output';
  const dlqTopic = values['dlq-topic'] ?? env.EVENTS_DLQ_TOPIC ?? 'events-dlq';
  const applicationId = values['application-id'] ?? env.APPLICATION_ID ?? 'events-archive';
  const formats = (values.formats ?? '').split(',').map((f) => f.trim());
  if (formats.length === 0 || formats.some((f) => f !== 'parquet' && f !== 'csv')) {
    throw new Error('--formats must list parquet and/or csv');
  }
  const port = kafkajsPort({ bootstrapServers, clientId: applicationId, logger });
  const admin = port.admin();
  await admin.connect();
  try {
    await admin.createTopics([{ name: topic, partitions: num('partitions', 1) }]);
  } finally {
    await admin.disconnect();
  }
  const topology = buildTopology({
    inputTopic: topic,
    outputDir,
    rolling: rolling(),
    formats: formats as ('parquet' | 'csv')[],
  });
  const app = new Tributary(topology, {
    applicationId,
    bootstrapServers,
    kafka: port,
    // The archive keeps no state today; the backend is passed so a stateful step needs no new flag.
    stateBackend: levelDbBackend({ stateDir: values['state-dir'] ?? env.STATE_DIR ?? '.state' }),
    commitIntervalMs: num('commit-interval-ms', 1),
    errorPolicy: { mode: 'dead-letter', topic: dlqTopic },
    logger,
  });
  logger.info('archiving', { topic, outputDir, formats, rolling: rolling() });
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
