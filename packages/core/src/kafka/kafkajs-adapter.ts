import { checkServerIdentity, type PeerCertificate } from 'node:tls';
import { Kafka, type KafkaConfig, logLevel } from 'kafkajs';
import type { Logger } from '../logger.js';
import { KafkajsAdmin, SharedAdmin } from './kafkajs-admin.js';
import { kafkajsChangelogReader } from './kafkajs-changelog-reader.js';
import { KafkajsConsumer } from './kafkajs-consumer.js';
import { kafkajsLogger } from './kafkajs-errors.js';
import { PartitionResolver } from './kafkajs-partitioner.js';
import { kafkajsProducer } from './kafkajs-producer.js';
import { KafkajsTailer } from './kafkajs-tailer.js';
import type { KafkaPort } from './ports.js';
import { type KafkaSecurity, kafkajsSecurityOptions } from './security.js';
import { checkedConnect, redactingLogger, securityErrorOf } from './security-errors.js';

export { KAFKAJS_CONSUMER_FETCH } from './kafkajs-consumer.js';

export interface KafkajsOptions {
  bootstrapServers: string | readonly string[];
  clientId?: string;
  logger: Logger;
  /** TLS and SASL for every client of the port (docs/security.md). */
  security?: KafkaSecurity;
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
      try {
        await admin.connect();
      } catch (err) {
        const typed = securityErrorOf(err, security, brokers, true, { certificateNames });
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

/** The port, and its connect() guard for clients of another library on the same connection settings. */
export function kafkajsPortParts(opts: KafkajsOptions): {
  port: KafkaPort;
  checked: <T extends { connect(): Promise<void> }>(client: T) => T;
  logger: Logger;
} {
  const brokers = brokerList(opts.bootstrapServers);
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
  const kafka = new Kafka(config);
  const firstContact = firstContactCheck(config, opts.security, brokers.join(','));
  const checked = <T extends { connect(): Promise<void> }>(client: T): T =>
    checkedConnect(client, firstContact, opts.security, brokers.join(','));
  // Restores, the partitioner and the global tailer look things up now and then: one client for all.
  const lookups = new SharedAdmin(() => kafka.admin());
  const changelogReader = kafkajsChangelogReader(kafka, lookups, clientId);
  const port: KafkaPort = {
    admin: () => checked(new KafkajsAdmin(kafka.admin())),
    consumer: (c) => checked(new KafkajsConsumer(kafka, c, logger)),
    producer: (p) =>
      checked(
        kafkajsProducer(kafka, p, new PartitionResolver((topics) => lookups.partitionMetadata(topics))),
      ),
    changelogReader: () => changelogReader,
    tailer: (t) => new KafkajsTailer(kafka, lookups, t.groupId, logger),
  };
  return { port, checked, logger };
}
