import {
  type KafkaSecurity,
  kafkajsPort,
  kafkajsSecurityOptions,
  silentLogger,
  StreamsBuilder,
  Tributary,
} from '@tributary/core';
import { Kafka, logLevel } from 'kafkajs';
import { beforeAll, describe, expect, it } from 'vitest';
import { consumeAll, uniqueName } from '../kafka.js';
import { type SecureBroker, startSecureBroker } from '../secure-broker.js';
import { failedStart } from './secure-start.js';

// Issue 21, against the local secure broker's other listeners (kafka.sh start --secure): mutual TLS
// (19096 wants a client certificate), hostname verification (19097 serves a certificate for
// wrong-name.invalid, signed by the trusted CA) and OAUTHBEARER (Kafka's unsecured validator on the
// SASL_SSL port, which takes an unsigned JWT: no identity provider needed).

const BOUND_MS = 30_000;

/** An unsigned JWT (alg none) as Kafka's unsecured validator reads it; `expSec` is its expiry. */
function unsecuredJwt(sub: string, expSec: number): string {
  const part = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${part({ alg: 'none' })}.${part({ sub, iat: Math.floor(Date.now() / 1000) - 5, exp: expSec })}.`;
}

/** Runs a one-step app (in -> out) over `security` and checks that 200 records come out. */
async function roundTrip(servers: string, security: KafkaSecurity, kafkaClient: 'kafkajs' | 'platformatic') {
  const [input, output] = [uniqueName('secure-in'), uniqueName('secure-out')];
  const port = kafkajsPort({ bootstrapServers: servers, security, logger: silentLogger });
  const admin = port.admin();
  await admin.connect();
  await admin.createTopics([
    { name: input, partitions: 2 },
    { name: output, partitions: 2 },
  ]);
  await admin.disconnect();
  const producer = port.producer({ idempotent: true });
  await producer.connect();
  const values = Array.from({ length: 200 }, (_, i) => `v-${i}`);
  await producer.send(
    values.map((v, i) => ({
      topic: input,
      key: Buffer.from(`k-${i % 7}`),
      value: Buffer.from(v),
      timestamp: Date.now(),
      headers: {},
    })),
  );
  await producer.disconnect();
  const b = new StreamsBuilder();
  b.stream(input).to(output);
  const app = new Tributary(b.build(), {
    applicationId: uniqueName(`secure-${kafkaClient}`),
    bootstrapServers: servers,
    security,
    kafkaClient,
    commitIntervalMs: 200,
    logger: silentLogger,
  });
  try {
    await app.start();
    const kafka = new Kafka({
      brokers: [servers],
      logLevel: logLevel.NOTHING,
      ...kafkajsSecurityOptions(security),
    });
    const out = await consumeAll(output, { count: values.length, timeoutMs: 30_000, kafka });
    expect(out.map((r) => r.value?.toString()).sort()).toEqual([...values].sort());
  } finally {
    await app.close();
  }
}

describe('mutual TLS, hostname verification and OAUTHBEARER against the secure broker', () => {
  let broker: SecureBroker;
  beforeAll(async () => {
    broker = await startSecureBroker();
  });

  it.each(['kafkajs', 'platformatic'] as const)(
    '%s: mTLS with the client certificate runs an app end to end',
    async (client) => {
      const { bootstrapServers, certFile, keyFile } = broker.mtls;
      await roundTrip(bootstrapServers, { tls: { caFile: broker.caFile, certFile, keyFile } }, client);
    },
  );

  it('mTLS without a client certificate fails start() with KAFKA_TLS_FAILED naming the missing certificate', async () => {
    const { err, ms } = await failedStart(broker.mtls.bootstrapServers, { tls: { caFile: broker.caFile } });
    expect(err?.code).toBe('KAFKA_TLS_FAILED');
    expect(err?.message).toMatch(/refused the TLS handshake.*client certificate.*certFile/);
    expect(ms).toBeLessThan(BOUND_MS);
  });

  it.each(['kafkajs', 'platformatic'] as const)(
    '%s: a certificate for another host name fails start() with KAFKA_TLS_FAILED (hostname verification)',
    async (client) => {
      const { err, ms } = await failedStart(
        broker.wrongName.bootstrapServers,
        { tls: { caFile: broker.caFile } },
        client,
      );
      expect(err?.code).toBe('KAFKA_TLS_FAILED');
      expect(err?.message).toMatch(/certificate does not name this host \(hostname verification\)/);
      expect(err?.message).toContain(broker.wrongName.certificateName);
      expect(ms).toBeLessThan(BOUND_MS);
    },
  );

  it('the same listener with hostname verification off connects: only the name was wrong', async () => {
    const admin = kafkajsPort({
      bootstrapServers: broker.wrongName.bootstrapServers,
      security: { tls: { caFile: broker.caFile, verifyHostname: false } },
      logger: silentLogger,
    }).admin();
    await admin.connect();
    try {
      expect(await admin.partitionCounts(['absent-topic'])).toEqual(new Map());
    } finally {
      await admin.disconnect();
    }
  });

  it.each(['kafkajs', 'platformatic'] as const)(
    '%s: OAUTHBEARER with a token provider runs an app end to end',
    async (client) => {
      let calls = 0;
      const token = () => {
        calls++;
        return unsecuredJwt('tributary', Math.floor(Date.now() / 1000) + 3600);
      };
      await roundTrip(
        broker.bootstrapServers,
        { tls: { caFile: broker.caFile }, sasl: { mechanism: 'OAUTHBEARER', token } },
        client,
      );
      expect(calls).toBeGreaterThan(0);
    },
  );

  it('an expired OAUTHBEARER token fails start() with KAFKA_AUTH_FAILED; the token is nowhere', async () => {
    const token = unsecuredJwt('tributary', Math.floor(Date.now() / 1000) - 600);
    const { err, ms, everything } = await failedStart(broker.bootstrapServers, {
      tls: { caFile: broker.caFile },
      sasl: { mechanism: 'OAUTHBEARER', token },
    });
    expect(err?.code).toBe('KAFKA_AUTH_FAILED');
    expect(err?.message).toMatch(/SASL OAUTHBEARER authentication .* failed/);
    expect(ms).toBeLessThan(BOUND_MS);
    expect(everything).not.toContain(token);
  });
});
