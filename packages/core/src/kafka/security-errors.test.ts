import { describe, expect, it } from 'vitest';
import { TributaryError } from '../errors.js';
import type { LogFields, Logger } from '../logger.js';
import type { KafkaSecurity } from './security.js';
import { redactingLogger, redactor, securityErrorOf } from './security-errors.js';

const security: KafkaSecurity = {
  tls: { caFile: '/etc/kafka/ca.pem', keyPassword: 'key-passphrase' },
  sasl: { mechanism: 'SCRAM-SHA-256', username: 'bob', password: 'hunter2-very-secret' },
};

function capture(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const make = (base: LogFields): Logger => {
    const w = (msg: string, f?: LogFields) => void lines.push(JSON.stringify({ msg, ...base, ...f }));
    return { debug: w, info: w, warn: w, error: w, child: (f) => make({ ...base, ...f }) };
  };
  return { logger: make({}), lines };
}

describe('redaction of configured secrets', () => {
  it('blanks the password and passphrase in messages, nested fields, errors and child loggers', () => {
    const { logger, lines } = capture();
    const log = redactingLogger(logger, security);
    log.warn('auth hunter2-very-secret failed', { nested: { deep: ['x hunter2-very-secret y'] }, n: 3 });
    log.child({ ctx: 'key-passphrase' }).error('boom', { error: new Error('pw=hunter2-very-secret') });
    const text = lines.join('\n');
    expect(text).not.toContain('hunter2-very-secret');
    expect(text).not.toContain('key-passphrase');
    expect(text).toContain('auth [redacted] failed');
    expect(text).toContain('"n":3');
    expect(lines).toHaveLength(2);
  });

  it('redacts each line once: a redacting logger is not wrapped again', () => {
    const { logger, lines } = capture();
    const log = redactingLogger(logger, security);
    expect(redactingLogger(log, security)).toBe(log);
    // Other secrets are still redacted by a wrapper of their own.
    const other = redactingLogger(log, {
      sasl: { mechanism: 'PLAIN', username: 'u', password: 'other-pass' },
    });
    expect(other).not.toBe(log);
    other.info('other-pass and hunter2-very-secret');
    expect(lines).toEqual([JSON.stringify({ msg: '[redacted] and [redacted]' })]);
  });

  it('does no redaction work for a level the logger drops', () => {
    const seen: string[] = [];
    const quiet: Logger = {
      debug: () => seen.push('debug'),
      info: (m) => seen.push(m),
      warn: (m) => seen.push(m),
      error: (m) => seen.push(m),
      child: () => quiet,
      enabled: (level) => level !== 'debug',
    };
    let reads = 0;
    const fields = {
      get detail() {
        reads++;
        return 'hunter2-very-secret';
      },
    };
    const log = redactingLogger(quiet, security);
    log.debug('hunter2-very-secret', fields);
    expect(reads).toBe(0);
    expect(seen).toEqual([]);
    log.info('x hunter2-very-secret', fields);
    expect(reads).toBe(1);
    expect(seen).toEqual(['x [redacted]']);
    expect(log.enabled?.('debug')).toBe(false);
  });

  it('leaves text alone when nothing secret is configured', () => {
    expect(redactor(undefined)('hunter2')).toBe('hunter2');
    const { logger } = capture();
    expect(redactingLogger(logger, { tls: {} })).toBe(logger);
  });
});

describe('security failures on first contact, as typed errors', () => {
  const brokers = 'k1:9093';

  it('kafkajs and @platformatic/kafka SASL rejections: KAFKA_AUTH_FAILED naming mechanism and user, never the password', () => {
    const kafkajs = Object.assign(new Error('SASL SCRAM SHA256 authentication failed: hunter2-very-secret'), {
      name: 'KafkaJSSASLAuthenticationError',
    });
    const platformatic = Object.assign(new Error('SASL authentication failed.'), {
      code: 'PLT_KFK_AUTHENTICATION',
    });
    for (const err of [kafkajs, platformatic]) {
      const typed = securityErrorOf(err, security, brokers, 'first-contact');
      expect(typed?.code).toBe('KAFKA_AUTH_FAILED');
      expect(typed?.message).toMatch(/SASL SCRAM-SHA-256 authentication to k1:9093 failed as user 'bob'/);
      expect(typed?.message).not.toContain('hunter2-very-secret');
    }
  });

  it('an untrusted certificate, wrapped in the retrier error: KAFKA_TLS_FAILED naming the CA file', () => {
    const err = Object.assign(new Error('Connection error: self-signed certificate in certificate chain'), {
      name: 'KafkaJSNumberOfRetriesExceeded',
      cause: Object.assign(new Error('Connection error'), {
        name: 'KafkaJSConnectionError',
        code: 'SELF_SIGNED_CERT_IN_CHAIN',
      }),
    });
    const typed = securityErrorOf(err, security, brokers, 'first-contact');
    expect(typed?.code).toBe('KAFKA_TLS_FAILED');
    expect(typed?.message).toMatch(
      /not trusted \(SELF_SIGNED_CERT_IN_CHAIN\): security\.tls\.caFile \(\/etc\/kafka\/ca\.pem\)/,
    );
  });

  it('a host name the certificate does not list; TLS against a plaintext port; plaintext against TLS', () => {
    const altname = Object.assign(new Error("Hostname/IP does not match certificate's altnames"), {
      code: 'ERR_TLS_CERT_ALTNAME_INVALID',
    });
    expect(securityErrorOf(altname, security, brokers, 'first-contact')?.message).toMatch(
      /does not name this host/,
    );
    const wrongVersion = new Error(
      'Connection error: 4087:error:0A00010B:SSL routines:ssl3_get_record:wrong version number',
    );
    expect(securityErrorOf(wrongVersion, security, brokers, 'first-contact')?.message).toMatch(
      /does not speak TLS on this port/,
    );
    const closed = Object.assign(new Error('Closed connection'), { name: 'KafkaJSConnectionClosedError' });
    expect(securityErrorOf(closed, undefined, brokers, 'first-contact')?.message).toMatch(
      /plaintext connection .* expects TLS/,
    );
  });

  it('a hostname mismatch names what the certificate lists, when the client saw it', () => {
    const altname = Object.assign(new Error("Hostname/IP does not match certificate's altnames"), {
      code: 'ERR_TLS_CERT_ALTNAME_INVALID',
    });
    const typed = securityErrorOf(altname, security, brokers, 'first-contact', {
      certificateNames: 'DNS:other.example.com',
    });
    expect(typed?.code).toBe('KAFKA_TLS_FAILED');
    expect(typed?.message).toMatch(/does not name this host.*it names DNS:other\.example\.com only/);
  });

  it('a listener that wants a client certificate refuses the handshake: the message says which fix applies', () => {
    const alert = Object.assign(new Error('Connection error: tlsv13 alert certificate required'), {
      name: 'KafkaJSConnectionError',
      code: 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED',
    });
    const none = securityErrorOf(alert, { tls: {} }, brokers, 'first-contact');
    expect(none?.code).toBe('KAFKA_TLS_FAILED');
    expect(none?.message).toMatch(
      /refused the TLS handshake \(ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED\): the listener requires a client certificate.*certFile and keyFile/,
    );
    const given = securityErrorOf(
      alert,
      { tls: { certFile: '/etc/kafka/me.pem', key: 'k' } },
      brokers,
      'first-contact',
    );
    expect(given?.message).toMatch(/does not accept the client certificate \(\/etc\/kafka\/me\.pem\)/);
  });

  it('OAUTHBEARER: a connection closed right after a login kafkajs called good is a rejected token', () => {
    const oauth: KafkaSecurity = { tls: {}, sasl: { mechanism: 'OAUTHBEARER', token: 'tok-secret-123' } };
    const gone = Object.assign(new Error('No brokers in the broker pool'), { name: 'KafkaJSBrokerNotFound' });
    const typed = securityErrorOf(gone, oauth, brokers, 'first-contact', { authenticated: true });
    expect(typed?.code).toBe('KAFKA_AUTH_FAILED');
    expect(typed?.message).toMatch(/SASL OAUTHBEARER authentication to k1:9093 failed: the broker closed/);
    // Not before the login succeeded, not later, not for other mechanisms.
    expect(securityErrorOf(gone, oauth, brokers, 'first-contact')).toBeUndefined();
    expect(securityErrorOf(gone, oauth, brokers, 'later', { authenticated: true })).toBeUndefined();
    expect(
      securityErrorOf(gone, security, brokers, 'first-contact', { authenticated: true }),
    ).toBeUndefined();
  });

  it('anything else is left to the clients: a broker not up yet is retried, not reported as a security error', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9093'), {
      name: 'KafkaJSConnectionError',
      code: 'ECONNREFUSED',
    });
    expect(securityErrorOf(refused, security, brokers, 'first-contact')).toBeUndefined();
    expect(
      securityErrorOf(new Error('Request timed out'), undefined, brokers, 'first-contact'),
    ).toBeUndefined();
  });

  it('after first contact, a closed connection is a broker going away, and typed errors stay as they are', () => {
    const closed = Object.assign(new Error('Closed connection'), { name: 'KafkaJSConnectionClosedError' });
    expect(securityErrorOf(closed, undefined, brokers, 'later')).toBeUndefined();
    const corrupted = new TributaryError('TASK_CORRUPTED', 'transaction failed: Closed connection', {
      cause: closed,
    });
    expect(securityErrorOf(corrupted, undefined, brokers, 'first-contact')).toBeUndefined();
  });
});
