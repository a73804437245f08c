import { parseCliOrExit, produceCommand, withSecurity } from '@tributary/app-kit';
import { jsonLogger, kafkajsPort, runUntilSignal, Tributary } from '@tributary/core';
import type { RollingOptions } from '@tributary/sinks';
import { levelDbBackend } from '@tributary/state';
import { ARCHIVE_CLI, parseArchiveCli } from './cli.js';
import { eventGenerator, MALFORMED_EVENTS } from './producer.js';
import { buildTopology } from './topology.js';

// Flags first: a bad one exits 2 here, before any connection.
const { command, values, security } = parseCliOrExit(ARCHIVE_CLI.usage, () =>
  withSecurity(parseArchiveCli(process.argv.slice(2))),
);
const bootstrapServers = values['bootstrap-servers'];
const topic = values['input-topic'];
const logger = jsonLogger(values['log-level']);

async function produce(): Promise<number> {
  const start = values['start-date'] ?? new Date().toISOString().slice(0, 10);
  const startMs = Date.parse(`${start}T00:00:00Z`);
  await produceCommand({
    flags: values,
    security,
    clientId: 'events-producer',
    logger,
    records: eventGenerator({ seed: values.seed, startMs, spanMs: values.days * 86_400_000 }),
    malformed: MALFORMED_EVENTS,
  });
  return 0;
}

function rolling(): RollingOptions {
  const r = {
    maxRecords: values['max-records-per-file'],
    maxBytes: values['max-file-bytes'],
    maxAgeMs: values['max-file-age-ms'],
    maxOpenFiles: values['max-open-files'],
  };
  return Object.fromEntries(Object.entries(r).filter(([, v]) => v !== undefined)) as RollingOptions;
}

async function streams(): Promise<number> {
  const outputDir = values.output;
  const applicationId = values['application-id'];
  const formats = values.formats;
  const port = kafkajsPort({
    bootstrapServers,
    security,
    clientId: applicationId,
    logger,
  });
  const admin = port.admin();
  await admin.connect();
  try {
    await admin.createTopics([{ name: topic, partitions: values.partitions }]);
  } finally {
    await admin.disconnect();
  }
  const topology = buildTopology({ inputTopic: topic, outputDir, rolling: rolling(), formats });
  const app = new Tributary(topology, {
    applicationId,
    bootstrapServers,
    security,
    kafka: port,
    // The archive keeps no state today; the backend is passed so a stateful step needs no new flag.
    stateBackend: levelDbBackend({ stateDir: values['state-dir'] }),
    commitIntervalMs: values['commit-interval-ms'],
    errorPolicy: { mode: 'dead-letter', topic: values['dlq-topic'] },
    logger,
  });
  logger.info('archiving', { topic, outputDir, formats, rolling: rolling() });
  return runUntilSignal(app);
}

// Exit explicitly: client sockets and timers must not keep a finished process alive.
(command === 'produce' ? produce() : streams()).then(
  (code) => process.exit(code),
  (err: unknown) => {
    logger.error('failed', { error: err instanceof Error ? err.message : String(err) });
    process.exit(1);
  },
);
