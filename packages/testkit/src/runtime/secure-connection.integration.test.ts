import { beforeAll, describe, expect, it } from 'vitest';
import { type SecureBroker, startSecureBroker } from '../secure-broker.js';
import { expectConnects, failedStart } from './secure-start.js';

// Issue 21: against the local SASL_SSL broker (kafka.sh start --secure), each misconfiguration fails
// start() with a typed error naming its cause, within seconds, instead of retrying or hanging; no
// configured secret shows in an error, a log line, metrics() or describe().

const BOUND_MS = 30_000;

describe('connecting to the SASL_SSL broker', () => {
  let broker: SecureBroker;
  beforeAll(async () => {
    broker = await startSecureBroker();
  });

  it.each(['SCRAM-SHA-512', 'SCRAM-SHA-256', 'PLAIN'] as const)('%s over TLS connects', async (mechanism) => {
    await expectConnects(broker.bootstrapServers, broker.security(mechanism));
  });

  it.each(['kafkajs', 'platformatic'] as const)(
    '%s: a wrong password fails with KAFKA_AUTH_FAILED naming the user; the password is nowhere',
    async (client) => {
      const password = 'wrong-Pa55word-that-must-not-leak';
      const { err, ms, lines, everything } = await failedStart(
        broker.bootstrapServers,
        {
          tls: { caFile: broker.caFile },
          sasl: { mechanism: 'SCRAM-SHA-512', username: broker.scram.username, password },
        },
        client,
      );
      expect(err?.code).toBe('KAFKA_AUTH_FAILED');
      expect(err?.message).toMatch(/SASL SCRAM-SHA-512 authentication .* failed as user 'tributary'/);
      expect(ms).toBeLessThan(BOUND_MS);
      expect(lines.some((l) => l.includes('stopping after an error'))).toBe(true);
      expect(everything).not.toContain(password);
    },
  );

  it('an unknown CA fails with KAFKA_TLS_FAILED: the certificate is not trusted', async () => {
    // No caFile: Node's default roots, which do not hold the throwaway CA.
    const { err, ms, everything } = await failedStart(broker.bootstrapServers, {
      tls: {},
      sasl: { mechanism: 'SCRAM-SHA-512', ...broker.scram },
    });
    expect(err?.code).toBe('KAFKA_TLS_FAILED');
    expect(err?.message).toMatch(
      /certificate is not trusted \((SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_[A-Z_]+)\).*caFile/,
    );
    expect(ms).toBeLessThan(BOUND_MS);
    expect(everything).not.toContain(broker.scram.password);
  });

  it('a plaintext client on the TLS port fails with KAFKA_TLS_FAILED: the listener expects TLS', async () => {
    const { err, ms } = await failedStart(broker.bootstrapServers, undefined);
    expect(err?.code).toBe('KAFKA_TLS_FAILED');
    expect(err?.message).toMatch(
      /plaintext connection to 127\.0\.0\.1:\d+ closed by the broker.*expects TLS/,
    );
    expect(ms).toBeLessThan(BOUND_MS);
  });
});
