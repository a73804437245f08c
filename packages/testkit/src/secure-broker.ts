import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { type KafkaSecurity, kafkajsSecurityOptions } from '@tributary/core';
import { Kafka, type KafkaConfig, logLevel } from 'kafkajs';

const run = promisify(execFile);
const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const script = join(repo, 'tools/kafka/kafka.sh');

interface Credentials {
  readonly username: string;
  readonly password: string;
}

/** The local SASL_SSL broker of `kafka.sh start --secure` (docs/kafka-local.md), as its client.json names it. */
export interface SecureBroker {
  readonly bootstrapServers: string;
  /** PEM of the throwaway CA that signed the broker's certificate. */
  readonly caFile: string;
  /** A user with SCRAM-SHA-256 and SCRAM-SHA-512 credentials. */
  readonly scram: Credentials;
  /** A user of the PLAIN mechanism. */
  readonly plain: Credentials;
  /** The listener that requires a client certificate (SSL, no SASL), and a certificate it accepts. */
  readonly mtls: { readonly bootstrapServers: string; readonly certFile: string; readonly keyFile: string };
  /** The listener whose certificate (signed by the same CA) names another host only. */
  readonly wrongName: { readonly bootstrapServers: string; readonly certificateName: string };
  /** TLS with the CA and SASL as the SCRAM user (or the PLAIN user), for TributaryConfig.security. */
  security(mechanism?: 'SCRAM-SHA-512' | 'SCRAM-SHA-256' | 'PLAIN'): KafkaSecurity;
  /** A kafkajs client for the testkit helpers (consumeAll, waitForCommittedToEnd, ...). */
  kafka(): Kafka;
}

function clientFile(): string {
  return join(process.env.KAFKA_HOME_DIR ?? join(repo, '.kafka'), 'secure', 'client.json');
}

/**
 * Starts the SASL_SSL broker (idempotent; its own port and data dir, the plaintext broker is left
 * alone) and resolves once it answers over SASL_SSL. The integration project's global teardown and
 * scripts/test.sh stop it at the end of the run.
 */
export async function startSecureBroker(): Promise<SecureBroker> {
  await run('bash', [script, 'start', '--secure'], { maxBuffer: 16 * 1024 * 1024 });
  const c = JSON.parse(readFileSync(clientFile(), 'utf8')) as {
    bootstrapServers: string;
    caFile: string;
    scram: Credentials;
    plain: Credentials;
    mtls: SecureBroker['mtls'];
    wrongName: SecureBroker['wrongName'];
  };
  const tls = { caFile: c.caFile }; // one block: core reads the CA file once per block
  const security = (
    mechanism: 'SCRAM-SHA-512' | 'SCRAM-SHA-256' | 'PLAIN' = 'SCRAM-SHA-512',
  ): KafkaSecurity => ({
    tls,
    sasl: { mechanism, ...(mechanism === 'PLAIN' ? c.plain : c.scram) },
  });
  const kafka = () => {
    const config: KafkaConfig = {
      clientId: 'tributary-testkit',
      brokers: c.bootstrapServers.split(','),
      logLevel: logLevel.NOTHING,
      retry: { retries: 8, initialRetryTime: 100 },
      // Core's own mapping of the security block, so the helpers connect exactly as the runtime does.
      ...kafkajsSecurityOptions(security('SCRAM-SHA-512')),
    };
    return new Kafka(config);
  };
  return { ...c, security, kafka };
}

export async function stopSecureBroker(): Promise<void> {
  await run('bash', [script, 'stop', '--secure']);
}

/** Whether the secure broker's process is alive (its pid file), without a connection. */
export function secureBrokerRunning(): boolean {
  try {
    const pid = Number(readFileSync(join(dirname(clientFile()), 'node-1.pid'), 'utf8').trim());
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
