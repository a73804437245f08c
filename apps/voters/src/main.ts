import { parseCliOrExit, produceCommand, serverConfigOf, withSecurity } from '@tributary/app-kit';
import { jsonLogger, kafkajsPort, runUntilSignal, Tributary } from '@tributary/core';
import { levelDbBackend } from '@tributary/state';
import { parseVotersCli, VOTERS_CLI } from './cli.js';
import { MALFORMED_VOTERS, voterGenerator } from './producer.js';
import { buildTopology } from './topology.js';

// Flags first: a bad one exits 2 here, before any connection.
const { command, values, security } = parseCliOrExit(VOTERS_CLI.usage, () =>
  withSecurity(parseVotersCli(process.argv.slice(2))),
);
const bootstrapServers = values['bootstrap-servers'];
const topic = values['input-topic'];
const logger = jsonLogger(values['log-level']);

async function produce(): Promise<number> {
  await produceCommand({
    flags: values,
    security,
    clientId: 'voters-producer',
    logger,
    records: voterGenerator(values.seed),
    malformed: MALFORMED_VOTERS,
  });
  return 0;
}

async function streams(): Promise<number> {
  const outputTopic = values['output-topic'];
  const applicationId = values['application-id'];
  const partitions = values.partitions;
  const port = kafkajsPort({
    bootstrapServers,
    security,
    clientId: applicationId,
    logger,
  });
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
    console: values['no-table'] ? false : { refreshMs: values['refresh-ms'] },
  });
  const app = new Tributary(topology, {
    applicationId,
    bootstrapServers,
    security,
    kafka: port,
    stateBackend: levelDbBackend({ stateDir: values['state-dir'] }),
    commitIntervalMs: values['commit-interval-ms'],
    errorPolicy: { mode: 'dead-letter', topic: values['dlq-topic'] },
    logger,
    ...serverConfigOf(values),
  });
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
