import {
  inMemoryBackend,
  type KafkaSecurity,
  kafkajsPort,
  kafkajsSecurityOptions,
  Serdes,
  StreamsBuilder,
  silentLogger,
  Tributary,
} from '@tributary/core';
import { Kafka, logLevel } from 'kafkajs';
import { beforeAll, describe, expect, it } from 'vitest';
import { consumeAll, uniqueName } from '../kafka.js';
import { type SecureBroker, startSecureBroker } from '../secure-broker.js';
import { capturingLogger, expectConnects, failedStart } from './secure-start.js';

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

/**
 * Runs an app over `security` that uses every client of the port: a count per key (admin, consumer,
 * producer, and the changelog reader at the store's restore) next to a global table (the tailer). Checks the counts, and that each client logged the same one-line security summary.
 */
async function roundTrip(servers: string, security: KafkaSecurity, kafkaClient: 'kafkajs' | 'platformatic') {
  const [input, output, table] = [
    uniqueName('secure-in'),
    uniqueName('secure-out'),
    uniqueName('secure-table'),
  ];
  const port = kafkajsPort({ bootstrapServers: servers, security, logger: silentLogger });
  const admin = port.admin();
  await admin.connect();
  await admin.createTopics([
    { name: input, partitions: 2 },
    { name: output, partitions: 2 },
    { name: table, partitions: 1 },
  ]);
  await admin.disconnect();
  const producer = port.producer({ idempotent: true });
  await producer.connect();
  const keys = Array.from({ length: 200 }, (_, i) => `k-${(i * 7) % 11}`);
  await producer.send(
    keys.map((k, i) => ({
      topic: input,
      key: Buffer.from(k),
      value: Buffer.from(`v-${i}`),
      timestamp: Date.now(),
      headers: {},
    })),
  );
  await producer.send([
    { topic: table, key: Buffer.from('a'), value: Buffer.from('1'), timestamp: Date.now(), headers: {} },
  ]);
  await producer.disconnect();
  const expected = new Map<string, number>();
  for (const k of keys) expected.set(k, (expected.get(k) ?? 0) + 1);
  const b = new StreamsBuilder();
  b.globalTable<string, string>(table, { name: 'table', valueSerde: Serdes.string() });
  b.stream<string, string>(input, { valueSerde: Serdes.string() })
    .groupByKey()
    .count({ name: 'counts', caching: false })
    .toStream()
    .to(output, { keySerde: Serdes.string(), valueSerde: Serdes.json<number>() });
  const lines: string[] = [];
  const app = new Tributary(b.build(), {
    applicationId: uniqueName(`secure-${kafkaClient}`),
    bootstrapServers: servers,
    security,
    kafkaClient,
    stateBackend: inMemoryBackend(),
    commitIntervalMs: 200,
    logger: capturingLogger(lines),
  });
  try {
    await app.start();
    const kafka = new Kafka({
      brokers: [servers],
      logLevel: logLevel.NOTHING,
      ...kafkajsSecurityOptions(security),
    });
    // No cache on the store: one update per input record, the last per key its count.
    const latest = new Map<string, number>();
    const updates = await consumeAll(output, { count: keys.length, timeoutMs: 45_000, kafka });
    for (const r of updates)
      latest.set(r.key?.toString() ?? '', JSON.parse(r.value?.toString() ?? '0') as number);
    expect(updates).toHaveLength(keys.length);
    expect(latest).toEqual(expected);
  } finally {
    await app.close();
  }
  const summaries = lines
    .map((l) => JSON.parse(l) as { level: string; msg: string; role?: string; security?: string })
    .filter((l) => l.msg === 'kafka client connecting');
  expect(new Set(summaries.map((l) => l.role))).toEqual(
    new Set(['admin', 'consumer', 'producer', 'changelog reader', 'tailer']),
  );
  expect(summaries.every((l) => l.level === 'info')).toBe(true);
  expect(new Set(summaries.map((l) => l.security)).size).toBe(1);
  expect(summaries).toHaveLength(5); // once per client role
  return { summary: summaries[0]?.security ?? '', lines };
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
      const { summary, lines } = await roundTrip(
        bootstrapServers,
        { tls: { caFile: broker.caFile, certFile, keyFile } },
        client,
      );
      expect(summary).toBe(
        `SSL; TLS (CA ${broker.caFile}, client certificate ${certFile}, hostname verified)`,
      );
      expect(lines.join('\n')).not.toContain('PRIVATE KEY');
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
    await expectConnects(broker.wrongName.bootstrapServers, {
      tls: { caFile: broker.caFile, verifyHostname: false },
    });
  });

  it.each(['kafkajs', 'platformatic'] as const)(
    '%s: OAUTHBEARER with a token provider runs an app end to end',
    async (client) => {
      let calls = 0;
      const token = () => {
        calls++;
        return unsecuredJwt('tributary', Math.floor(Date.now() / 1000) + 3600);
      };
      const { summary } = await roundTrip(
        broker.bootstrapServers,
        { tls: { caFile: broker.caFile }, sasl: { mechanism: 'OAUTHBEARER', token } },
        client,
      );
      expect(calls).toBeGreaterThan(0);
      expect(summary).toMatch(/^SASL_SSL; SASL OAUTHBEARER; TLS \(CA /);
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
