import { existsSync } from 'node:fs';
import { startOwnedLocalBroker, stopLocalBroker } from './local-broker.js';

export type BrokerKind = 'env' | 'docker' | 'local';

export interface BrokerHandle {
  readonly kind: BrokerKind;
  readonly bootstrapServers: string;
  /** Stops the broker if this handle started it; a no-op for brokers found already running. */
  stop(): Promise<void>;
}

const KAFKA_IMAGE = 'apache/kafka:4.1.1';

function dockerMayAnswer(): boolean {
  return Boolean(process.env.DOCKER_HOST) || existsSync('/var/run/docker.sock');
}

async function startDockerBroker(): Promise<BrokerHandle | undefined> {
  let tc: typeof import('testcontainers');
  try {
    tc = await import('testcontainers');
    await tc.getContainerRuntimeClient();
  } catch {
    return undefined;
  }
  // The apache/kafka image in KRaft combined mode, with the same single-node settings as tools/kafka.
  const port = 9092;
  const container = await new tc.GenericContainer(KAFKA_IMAGE)
    .withExposedPorts(port)
    .withEnvironment({
      KAFKA_NODE_ID: '1',
      KAFKA_PROCESS_ROLES: 'broker,controller',
      KAFKA_LISTENERS: 'PLAINTEXT://:9092,CONTROLLER://:9093,INTERNAL://:19092',
      KAFKA_LISTENER_SECURITY_PROTOCOL_MAP: 'CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,INTERNAL:PLAINTEXT',
      KAFKA_CONTROLLER_LISTENER_NAMES: 'CONTROLLER',
      KAFKA_INTER_BROKER_LISTENER_NAME: 'INTERNAL',
      KAFKA_CONTROLLER_QUORUM_VOTERS: '1@localhost:9093',
      KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR: '1',
      KAFKA_OFFSETS_TOPIC_NUM_PARTITIONS: '1',
      KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR: '1',
      KAFKA_TRANSACTION_STATE_LOG_MIN_ISR: '1',
      KAFKA_TRANSACTION_STATE_LOG_NUM_PARTITIONS: '1',
      KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS: '0',
      KAFKA_AUTO_CREATE_TOPICS_ENABLE: 'false',
    })
    .withStartupTimeout(120_000)
    .start();
  const host = container.getHost();
  const mapped = container.getMappedPort(port);
  // The advertised listener must carry the mapped port, which is only known after start.
  await container.exec([
    '/opt/kafka/bin/kafka-configs.sh',
    '--bootstrap-server',
    'localhost:19092',
    '--alter',
    '--entity-type',
    'brokers',
    '--entity-name',
    '1',
    '--add-config',
    `advertised.listeners=[PLAINTEXT://${host}:${mapped},INTERNAL://localhost:19092]`,
  ]);
  return {
    kind: 'docker',
    bootstrapServers: `${host}:${mapped}`,
    stop: async () => {
      await container.stop();
    },
  };
}

/**
 * Finds or starts a real Kafka broker: KAFKA_BOOTSTRAP_SERVERS first (a broker the caller chose, and
 * nothing is started), then a Docker engine (testcontainers: a throwaway container, no Java needed),
 * then the local Maven-jar broker from tools/kafka, last because it needs Java 17+ and, the first
 * time, a Maven download. packages/testkit/README.md documents the same order.
 */
export async function ensureBroker(): Promise<BrokerHandle> {
  const fromEnv = process.env.KAFKA_BOOTSTRAP_SERVERS;
  if (fromEnv) return { kind: 'env', bootstrapServers: fromEnv, stop: async () => {} };
  if (process.env.TRIBUTARY_NO_DOCKER !== '1' && dockerMayAnswer()) {
    const docker = await startDockerBroker();
    if (docker) return docker;
  }
  const { bootstrapServers, started } = await startOwnedLocalBroker(1);
  return {
    kind: 'local',
    bootstrapServers,
    stop: async () => {
      if (started) await stopLocalBroker(1);
    },
  };
}
