import { checkServerIdentity, type PeerCertificate } from 'node:tls';
import { Kafka, type KafkaConfig, logLevel } from 'kafkajs';
import type { Logger } from '../logger.js';
import type { ChangelogReader } from '../state/store.js';
import { KafkajsAdmin, SharedAdmin } from './kafkajs-admin.js';
import { kafkajsChangelogReader } from './kafkajs-changelog-reader.js';
import { KafkajsConsumer } from './kafkajs-consumer.js';
import { kafkajsLogger } from './kafkajs-errors.js';
import { PartitionResolver } from './kafkajs-partitioner.js';
import { kafkajsProducer } from './kafkajs-producer.js';
import { KafkajsTailer } from './kafkajs-tailer.js';
import type { KafkaPort } from './ports.js';
import { type KafkaSecurity, kafkajsSecurityOptions, securitySummary } from './security.js';
import { checkedConnect, redactingLogger, securityErrorOf } from './security-errors.js';

export { KAFKAJS_CONSUMER_FETCH } from './kafkajs-consumer.js';

export interface KafkajsOptions {
  bootstrapServers: string | readonly string[];
  clientId?: string;
  logger: Logger;
  /** TLS and SASL for every client of the port (docs/security.md). */
  security?: KafkaSecurity | undefined;
  /** Extra kafkajs settings, applied last (they override what `security` maps to). */
  kafkaConfig?: Partial<KafkaConfig>;
}

export function brokerList(servers: string | readonly string[]): string[] {
  return typeof servers === 'string' ? servers.split(',').map((s) => s.trim()) : [...servers];
}

/**
 * One connection attempt without retries, before the first client of the port connects: a wrong
 * password, an untrusted certificate or TLS and plaintext mixed up fail start() at once with a typed
 * error instead of after the client's retries. Other failures (a broker still starting) are left to
 * the clients' own retries.
 */
function firstContactCheck(
  config: KafkaConfig,
  security: KafkaSecurity | undefined,
  brokers: string,
): () => Promise<void> {
  let checked: Promise<void> | undefined;
  return () => {
    checked ??= (async () => {
      // kafkajs' connection error keeps only Node's code: the certificate's names, for the message
      // of a hostname mismatch, are caught here (the check itself is Node's, as without this hook).
      let certificateNames: string | undefined;
      const ssl =
        config.ssl && typeof config.ssl === 'object' && !config.ssl.checkServerIdentity
          ? {
              ...config.ssl,
              checkServerIdentity: (host: string, cert: PeerCertificate) => {
                const err = checkServerIdentity(host, cert);
                if (err) certificateNames = cert.subjectaltname;
                return err;
              },
            }
          : config.ssl;
      const admin = new Kafka({
        ...config,
        ...(ssl ? { ssl } : {}),
        logLevel: logLevel.NOTHING,
        retry: { retries: 0 },
        connectionTimeout: 5000,
        authenticationTimeout: 10_000,
        requestTimeout: 10_000,
      }).admin();
      let authenticated = false;
      try {
        await admin.connect();
        authenticated = true;
        // One request on the new session: kafkajs reports an OAUTHBEARER login as done even when
        // the broker rejected the token (it does not read the broker's error answer); the broker
        // then closes the connection, and only the next request shows it.
        await admin.listTopics();
      } catch (err) {
        const typed = securityErrorOf(err, security, brokers, 'first-contact', {
          certificateNames,
          authenticated,
        });
        if (typed) throw typed;
      } finally {
        await admin.disconnect().catch(() => {});
      }
    })();
    return checked;
  };
}

/** The ports on one kafkajs client; the kafkajs-* modules next to this one implement them per role. */
export function kafkajsPort(opts: KafkajsOptions): KafkaPort {
  return kafkajsPortParts(opts).port;
}

/** The clients of a port, as the one-line security summary names them. */
export type PortRole = 'admin' | 'consumer' | 'producer' | 'changelog reader' | 'tailer';

/** The port, and its connect() guard for clients of another library on the same connection settings. */
export function kafkajsPortParts(opts: KafkajsOptions): {
  port: KafkaPort;
  checked: <T extends { connect(): Promise<void> }>(client: T, role: PortRole) => T;
  logger: Logger;
} {
  const brokers = brokerList(opts.bootstrapServers);
  const brokersText = brokers.join(',');
  const clientId = opts.clientId ?? 'tributary';
  const logger = redactingLogger(opts.logger, opts.security);
  const config: KafkaConfig = {
    clientId,
    brokers,
    logLevel: logLevel.WARN,
    logCreator: kafkajsLogger(logger),
    retry: { retries: 10, initialRetryTime: 100, maxRetryTime: 5000 },
    ...kafkajsSecurityOptions(opts.security),
    ...(opts.kafkaConfig as KafkaConfig | undefined),
  };
  if (opts.security?.tls?.rejectUnauthorized === false)
    logger.warn(
      'TLS certificate verification is off (security.tls.rejectUnauthorized: false): test use only',
    );
  const kafka = new Kafka(config);
  const firstContact = firstContactCheck(config, opts.security, brokersText);
  const summary = securitySummary(opts.security);
  const announced = new Set<PortRole>();
  // Every client says once how it connects, in the same words; then the port's first-contact check.
  const ready = (role: PortRole): Promise<void> => {
    if (!announced.has(role)) {
      announced.add(role);
      logger.info('kafka client connecting', { role, brokers: brokersText, security: summary });
    }
    return firstContact();
  };
  const checked = <T extends { connect(): Promise<void> }>(client: T, role: PortRole): T =>
    checkedConnect(client, () => ready(role), opts.security, brokersText);
  // Restores, the partitioner, the global tailer and the admins' offset lookups look things up now
  // and then: one client for all.
  const lookups = new SharedAdmin(() => kafka.admin());
  const changelogReader = readyFirst(kafkajsChangelogReader(kafka, lookups, clientId), () =>
    ready('changelog reader'),
  );
  const port: KafkaPort = {
    admin: () => checked(new KafkajsAdmin(kafka.admin(), lookups), 'admin'),
    consumer: (c) => checked(new KafkajsConsumer(kafka, c, logger), 'consumer'),
    producer: (p) =>
      checked(
        kafkajsProducer(kafka, p, new PartitionResolver((topics) => lookups.partitionMetadata(topics))),
        'producer',
      ),
    changelogReader: () => changelogReader,
    tailer: (t) => {
      const tailer = new KafkajsTailer(kafka, lookups, t.groupId, logger);
      return {
        start: async (topics, onBatch) => {
          await ready('tailer');
          await tailer.start(topics, onBatch);
        },
        stop: () => tailer.stop(),
      };
    },
  };
  return { port, checked, logger };
}

/** The reader, each call after `ready` (the announcement and the first-contact check). */
function readyFirst(reader: ChangelogReader, ready: () => Promise<void>): ChangelogReader {
  return {
    endOffset: async (topic, partition) => {
      await ready();
      return reader.endOffset(topic, partition);
    },
    beginningOffset: async (topic, partition) => {
      await ready();
      return reader.beginningOffset(topic, partition);
    },
    read: async (topic, partition, from, to, onBatch, signal) => {
      await ready();
      await reader.read(topic, partition, from, to, onBatch, signal);
    },
  };
}
