import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isTributaryError } from '../errors.js';
import {
  checkSasl,
  describeSecurity,
  hostOf,
  type KafkaSecurity,
  kafkajsSecurityOptions,
  platformaticSecurityOptions,
  securityProtocolOf,
  securitySummary,
} from './security.js';

const dir = mkdtempSync(join(tmpdir(), 'security-test-'));
const file = (name: string, text: string) => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};
const CA = '-----BEGIN CERTIFICATE-----\nca\n-----END CERTIFICATE-----\n';
const CERT = '-----BEGIN CERTIFICATE-----\nclient\n-----END CERTIFICATE-----\n';
const KEY = '-----BEGIN PRIVATE KEY-----\nkey-material\n-----END PRIVATE KEY-----\n';
const caFile = file('ca.pem', CA);
const certFile = file('client.pem', CERT);
const keyFile = file('client.key', KEY);
const scram: KafkaSecurity = {
  tls: { caFile },
  sasl: { mechanism: 'SCRAM-SHA-512', username: 'alice', password: 's3cret-pw' },
};

const codeOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    expect(isTributaryError(err)).toBe(true);
    return { code: (err as { code: string }).code, message: (err as Error).message };
  }
  throw new Error('did not throw');
};

describe('the security block mapped to kafkajs', () => {
  it('TLS with the CA file read once, hostname verification and certificate checks on, SCRAM lower-cased', () => {
    const o = kafkajsSecurityOptions(scram);
    expect(o.ssl).toEqual({ ca: [CA], rejectUnauthorized: true });
    // Node's own checkServerIdentity (host name against the certificate) stays in place.
    expect(o.ssl).not.toHaveProperty('checkServerIdentity');
    expect(o.sasl).toEqual({ mechanism: 'scram-sha-512', username: 'alice', password: 's3cret-pw' });
  });

  it('mutual TLS: certificate, key and passphrase; verification switches map to Node options', () => {
    const o = kafkajsSecurityOptions({
      tls: { caFile, certFile, keyFile, keyPassword: 'kp', verifyHostname: false, rejectUnauthorized: false },
    });
    const ssl = o.ssl as Record<string, unknown>;
    expect(ssl).toMatchObject({
      ca: [CA],
      cert: CERT,
      key: KEY,
      passphrase: 'kp',
      rejectUnauthorized: false,
    });
    expect((ssl.checkServerIdentity as () => unknown)()).toBeUndefined();
    expect(o.sasl).toBeUndefined();
  });

  it('PLAIN and SCRAM-SHA-256; OAUTHBEARER through a token provider called at each authentication', async () => {
    expect(kafkajsSecurityOptions({ sasl: { mechanism: 'PLAIN', username: 'u', password: 'p' } })).toEqual({
      sasl: { mechanism: 'plain', username: 'u', password: 'p' },
    });
    expect(
      kafkajsSecurityOptions({ sasl: { mechanism: 'SCRAM-SHA-256', username: 'u', password: 'p' } }).sasl,
    ).toEqual({
      mechanism: 'scram-sha-256',
      username: 'u',
      password: 'p',
    });
    let n = 0;
    const o = kafkajsSecurityOptions({ sasl: { mechanism: 'OAUTHBEARER', token: async () => `tok-${++n}` } });
    const provider = (o.sasl as { oauthBearerProvider: () => Promise<{ value: string }> })
      .oauthBearerProvider;
    expect(await provider()).toEqual({ value: 'tok-1' });
    expect(await provider()).toEqual({ value: 'tok-2' });
  });

  it('no security: no ssl, no sasl', () => {
    expect(kafkajsSecurityOptions(undefined)).toEqual({});
    expect(platformaticSecurityOptions(undefined, ['127.0.0.1:9092'])).toEqual({});
  });
});

describe('the security block mapped to @platformatic/kafka', () => {
  it('the same TLS options; SASL with the mechanism name as Kafka spells it', () => {
    const o = platformaticSecurityOptions(scram, ['127.0.0.1:9093']);
    expect(o.tls).toEqual(kafkajsSecurityOptions(scram).ssl);
    expect(o.sasl).toEqual({ mechanism: 'SCRAM-SHA-512', username: 'alice', password: 's3cret-pw' });
    // No SNI for IP addresses (RFC 6066 forbids it); host names get it.
    expect(o.tlsServerName).toBeUndefined();
    expect(
      platformaticSecurityOptions(scram, ['b1.example.com:9093', 'b2.example.com:9093']).tlsServerName,
    ).toBe(true);
  });

  it('OAUTHBEARER: a token provider', async () => {
    const o = platformaticSecurityOptions({ sasl: { mechanism: 'OAUTHBEARER', token: 'static-token' } }, [
      'h:1',
    ]);
    expect(o.sasl?.mechanism).toBe('OAUTHBEARER');
    const token = o.sasl?.token as () => Promise<string>;
    expect(await token()).toBe('static-token');
  });
});

describe('bad security blocks fail before any connection', () => {
  it('a file that cannot be read names the file, not its content', () => {
    const e = codeOf(() => kafkajsSecurityOptions({ tls: { caFile: join(dir, 'missing.pem') } }));
    expect(e.code).toBe('CONFIG_INVALID');
    expect(e.message).toContain('security.tls.caFile: cannot read');
    expect(e.message).toContain('missing.pem');
  });

  it('a certificate without its key, an unknown mechanism, a missing password or token', () => {
    expect(codeOf(() => kafkajsSecurityOptions({ tls: { certFile } })).message).toMatch(
      /needs its private key/,
    );
    const bad = (sasl: unknown) => codeOf(() => checkSasl({ sasl } as KafkaSecurity)).message;
    expect(bad({ mechanism: 'GSSAPI', username: 'u', password: 'p' })).toMatch(
      /must be one of PLAIN, SCRAM-SHA-256/,
    );
    expect(bad({ mechanism: 'SCRAM-SHA-256', username: 'u', password: '' })).toMatch(/password is required/);
    expect(bad({ mechanism: 'PLAIN', username: '', password: 'p' })).toMatch(/username is required/);
    expect(bad({ mechanism: 'OAUTHBEARER' })).toMatch(/token is required/);
  });
});

describe('what may be logged about it', () => {
  it('protocol, mechanism, user and CA path; never the password, token or key', () => {
    expect(securityProtocolOf(undefined)).toBe('PLAINTEXT');
    expect(securityProtocolOf({ tls: {} })).toBe('SSL');
    expect(securityProtocolOf({ sasl: { mechanism: 'PLAIN', username: 'u', password: 'p' } })).toBe(
      'SASL_PLAINTEXT',
    );
    const d = describeSecurity({ ...scram, tls: { caFile, certFile, keyFile, keyPassword: 'key-pass' } });
    expect(d).toEqual({
      securityProtocol: 'SASL_SSL',
      saslMechanism: 'SCRAM-SHA-512',
      saslUsername: 'alice',
      tlsCaFile: caFile,
      tlsClientCertificate: true,
      tlsVerifyHostname: true,
      tlsRejectUnauthorized: true,
    });
    const text = JSON.stringify(d);
    for (const secret of ['s3cret-pw', 'key-pass', 'key-material']) expect(text).not.toContain(secret);
  });
});

describe('the one-line summary every client logs', () => {
  it('names protocol, mechanism, user and TLS settings; never a secret', () => {
    expect(securitySummary(undefined)).toBe('PLAINTEXT');
    const mtls = { tls: { caFile, certFile, keyFile, keyPassword: 'key-pass' } };
    expect(securitySummary(mtls)).toBe(
      `SSL; TLS (CA ${caFile}, client certificate ${certFile}, hostname verified)`,
    );
    expect(securitySummary(scram)).toBe(
      `SASL_SSL; SASL SCRAM-SHA-512 as 'alice'; TLS (CA ${caFile}, no client certificate, hostname verified)`,
    );
    expect(
      securitySummary({
        tls: { verifyHostname: false, rejectUnauthorized: false },
        sasl: { mechanism: 'OAUTHBEARER', token: 'tok-secret' },
      }),
    ).toBe(
      "SASL_SSL; SASL OAUTHBEARER; TLS (Node's default CAs, no client certificate, hostname NOT verified, certificate NOT verified)",
    );
  });
});

describe('TLS files and SNI', () => {
  it('reads the PEM files once per tls block, for every client and both adapters', () => {
    const ca = file('rotating-ca.pem', CA);
    const security: KafkaSecurity = { tls: { caFile: ca } };
    const first = kafkajsSecurityOptions(security).ssl;
    writeFileSync(ca, 'changed on disk after the port was built');
    expect(kafkajsSecurityOptions(security).ssl).toBe(first);
    expect(platformaticSecurityOptions(security, ['h:1']).tls).toBe(first);
    // Another block reads the file again.
    expect(kafkajsSecurityOptions({ tls: { caFile: ca } }).ssl).not.toEqual(first);
  });

  it('takes the host of every address form, so IPs never get SNI and names keep their last letter', () => {
    expect(
      ['b1.example.com:9093', 'localhost', '10.0.0.1', '10.0.0.1:9093', '[::1]:9093', '[fe80::1]', '::1'].map(
        hostOf,
      ),
    ).toEqual(['b1.example.com', 'localhost', '10.0.0.1', '10.0.0.1', '::1', 'fe80::1', '::1']);
    const sni = (brokers: string[]) => platformaticSecurityOptions({ tls: {} }, brokers).tlsServerName;
    // Without a port the old derivation cut the last character: '10.0.0.1' became '10.0.0.', a "name".
    expect(sni(['10.0.0.1'])).toBeUndefined();
    expect(sni(['[::1]:9093'])).toBeUndefined();
    expect(sni(['localhost'])).toBe(true);
  });
});
