import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { commonFlags, parseFlags, UsageError } from './cli.js';
import { securityFromFlags, withSecurity } from './security-flags.js';

const spec = { usage: 'usage: test', flags: commonFlags({ default: 'in', env: 'IN_TOPIC' }) } as const;
const security = (argv: string[], env: Record<string, string> = {}) =>
  securityFromFlags(parseFlags(spec, argv, env).values, env);
const fails = (argv: string[], env: Record<string, string> = {}) => {
  try {
    security(argv, env);
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    return (err as Error).message;
  }
  throw new Error(`accepted: ${argv.join(' ')}`);
};

describe('security flags', () => {
  it('PLAINTEXT by default: no security block', () => {
    expect(security([])).toBeUndefined();
  });

  it('SASL_SSL from the usual environment variables, the password from the environment only', () => {
    const env = {
      KAFKA_SECURITY_PROTOCOL: 'SASL_SSL',
      KAFKA_SASL_MECHANISM: 'SCRAM-SHA-512',
      KAFKA_SASL_USERNAME: 'alice',
      KAFKA_SASL_PASSWORD: 'pw-from-env',
      KAFKA_SSL_CA_LOCATION: '/etc/kafka/ca.pem',
    };
    expect(security([], env)).toEqual({
      tls: { caFile: '/etc/kafka/ca.pem', verifyHostname: true, rejectUnauthorized: true },
      sasl: { mechanism: 'SCRAM-SHA-512', username: 'alice', password: 'pw-from-env' },
    });
  });

  it('flags win over the environment; the password from a file; mTLS and the verification switches', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sec-flags-'));
    const pwFile = join(dir, 'pw');
    writeFileSync(pwFile, 'pw-from-file\n');
    const s = security(
      [
        '--security-protocol',
        'SASL_SSL',
        '--sasl-mechanism',
        'PLAIN',
        '--sasl-username',
        'bob',
        '--sasl-password-file',
        pwFile,
        '--ssl-certificate-location',
        '/c.pem',
        '--ssl-key-location',
        '/k.pem',
        '--ssl-endpoint-identification-algorithm',
        'none',
        '--enable-ssl-certificate-verification',
        'false',
      ],
      { KAFKA_SASL_USERNAME: 'env-user', KAFKA_SSL_KEY_PASSWORD: 'kp' },
    );
    expect(s).toEqual({
      tls: {
        certFile: '/c.pem',
        keyFile: '/k.pem',
        keyPassword: 'kp',
        verifyHostname: false,
        rejectUnauthorized: false,
      },
      sasl: { mechanism: 'PLAIN', username: 'bob', password: 'pw-from-file' },
    });
  });

  it('SSL alone, SASL_PLAINTEXT alone, OAUTHBEARER with the token from the environment', () => {
    expect(security(['--security-protocol', 'SSL'])).toEqual({
      tls: { verifyHostname: true, rejectUnauthorized: true },
    });
    expect(
      security(
        [
          '--security-protocol',
          'SASL_PLAINTEXT',
          '--sasl-mechanism',
          'SCRAM-SHA-256',
          '--sasl-username',
          'u',
        ],
        {
          KAFKA_SASL_PASSWORD: 'p',
        },
      ),
    ).toEqual({ sasl: { mechanism: 'SCRAM-SHA-256', username: 'u', password: 'p' } });
    expect(
      security(['--security-protocol', 'SASL_SSL', '--sasl-mechanism', 'OAUTHBEARER'], {
        KAFKA_SASL_OAUTHBEARER_TOKEN: 't',
      })?.sasl,
    ).toEqual({ mechanism: 'OAUTHBEARER', token: 't' });
  });

  it('a missing or misplaced setting is a usage error naming what to set; no password flag exists', () => {
    expect(fails(['--security-protocol', 'SASL_SSL'])).toMatch(/needs --sasl-mechanism/);
    expect(fails(['--security-protocol', 'SASL_SSL', '--sasl-mechanism', 'PLAIN'])).toMatch(
      /needs --sasl-username/,
    );
    expect(
      fails(['--security-protocol', 'SASL_SSL', '--sasl-mechanism', 'PLAIN', '--sasl-username', 'u']),
    ).toMatch(/KAFKA_SASL_PASSWORD or --sasl-password-file/);
    expect(fails(['--security-protocol', 'SASL_SSL', '--sasl-mechanism', 'OAUTHBEARER'])).toMatch(
      /KAFKA_SASL_OAUTHBEARER_TOKEN/,
    );
    expect(fails(['--ssl-ca-location', '/ca.pem'])).toMatch(
      /--ssl-ca-location needs --security-protocol SSL or SASL_SSL/,
    );
    expect(fails(['--sasl-mechanism', 'PLAIN'])).toMatch(
      /--sasl-mechanism needs --security-protocol SASL_SSL or SASL_PLAINTEXT/,
    );
    expect(fails(['--security-protocol', 'SSL', '--ssl-key-location', '/k.pem'])).toMatch(/go together/);
    expect(fails(['--security-protocol', 'TLS'])).toMatch(
      /must be one of: PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL/,
    );
    expect(() => parseFlags(spec, ['--sasl-password', 'x'], {})).toThrow(/unknown flag --sasl-password/);
    expect(
      fails([
        '--security-protocol',
        'SASL_SSL',
        '--sasl-mechanism',
        'PLAIN',
        '--sasl-username',
        'u',
        '--sasl-password-file',
        '/nope',
      ]),
    ).toMatch(/cannot read \/nope \(ENOENT\)/);
  });

  it('settings that mean nothing without another are usage errors, not silently ignored', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sec-flags-'));
    const pwFile = join(dir, 'pw');
    writeFileSync(pwFile, 'pw\n');
    // A password file without SASL, or with PLAINTEXT's defaults.
    expect(fails(['--sasl-password-file', pwFile])).toMatch(
      /--sasl-password-file needs --security-protocol SASL_SSL or SASL_PLAINTEXT \(got PLAINTEXT\)/,
    );
    expect(fails(['--security-protocol', 'SSL', '--sasl-username', 'u'])).toMatch(
      /--sasl-username needs --security-protocol SASL_SSL/,
    );
    // User and password belong to PLAIN and SCRAM, not to OAUTHBEARER.
    const oauth = ['--security-protocol', 'SASL_SSL', '--sasl-mechanism', 'OAUTHBEARER'];
    const token = { KAFKA_SASL_OAUTHBEARER_TOKEN: 't' };
    expect(fails([...oauth, '--sasl-username', 'u'], token)).toMatch(
      /--sasl-username is for PLAIN and SCRAM/,
    );
    expect(fails([...oauth, '--sasl-password-file', pwFile], token)).toMatch(
      /--sasl-password-file is for PLAIN and SCRAM/,
    );
    // The password twice; a key passphrase without a key; TLS switches without TLS.
    const scram = [
      '--security-protocol',
      'SASL_SSL',
      '--sasl-mechanism',
      'SCRAM-SHA-512',
      '--sasl-username',
      'u',
    ];
    expect(fails([...scram, '--sasl-password-file', pwFile], { KAFKA_SASL_PASSWORD: 'p' })).toMatch(
      /password is given twice/,
    );
    expect(fails(['--security-protocol', 'SSL'], { KAFKA_SSL_KEY_PASSWORD: 'kp' })).toMatch(
      /KAFKA_SSL_KEY_PASSWORD is the passphrase of --ssl-key-location/,
    );
    expect(fails(['--ssl-endpoint-identification-algorithm', 'none'])).toMatch(
      /--ssl-endpoint-identification-algorithm needs --security-protocol SSL or SASL_SSL/,
    );
    expect(
      fails(['--security-protocol', 'SASL_PLAINTEXT', '--enable-ssl-certificate-verification', 'false']),
    ).toMatch(
      /--enable-ssl-certificate-verification needs --security-protocol SSL or SASL_SSL \(got SASL_PLAINTEXT\)/,
    );
  });

  it('withSecurity adds the block to a parsed command line', () => {
    const parsed = withSecurity(parseFlags(spec, ['--security-protocol', 'SSL'], {}), {});
    expect(parsed.security).toEqual({ tls: { verifyHostname: true, rejectUnauthorized: true } });
    expect(parsed.values['bootstrap-servers']).toBe('127.0.0.1:19092');
  });
});
