/**
 * Kafka connection security on the command line, the same in every app: flags with librdkafka's
 * names (as the usual KAFKA_* environment variables), secrets from the environment or a file only,
 * never from a flag (a flag shows in `ps` and shell history). docs/security.md has the table.
 */
import { readFileSync } from 'node:fs';
import type { KafkaSecurity } from '@tributary/core';
import { type FlagValues, UsageError } from './cli.js';

export const SECURITY_FLAGS = {
  'security-protocol': {
    type: 'enum',
    values: ['PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL'],
    env: 'KAFKA_SECURITY_PROTOCOL',
    default: 'PLAINTEXT',
  },
  'sasl-mechanism': {
    type: 'enum',
    values: ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512', 'OAUTHBEARER'],
    env: 'KAFKA_SASL_MECHANISM',
  },
  'sasl-username': { type: 'string', env: 'KAFKA_SASL_USERNAME' },
  /** A file holding the password (KAFKA_SASL_PASSWORD holds the password itself). */
  'sasl-password-file': { type: 'string', env: 'KAFKA_SASL_PASSWORD_FILE' },
  'ssl-ca-location': { type: 'string', env: 'KAFKA_SSL_CA_LOCATION' },
  'ssl-certificate-location': { type: 'string', env: 'KAFKA_SSL_CERTIFICATE_LOCATION' },
  'ssl-key-location': { type: 'string', env: 'KAFKA_SSL_KEY_LOCATION' },
  'ssl-endpoint-identification-algorithm': {
    type: 'enum',
    values: ['https', 'none'],
    env: 'KAFKA_SSL_ENDPOINT_IDENTIFICATION_ALGORITHM',
    default: 'https',
  },
  'enable-ssl-certificate-verification': {
    type: 'enum',
    values: ['true', 'false'],
    env: 'KAFKA_ENABLE_SSL_CERTIFICATE_VERIFICATION',
    default: 'true',
  },
} as const;

/** The usage lines of SECURITY_FLAGS, for each app's --help. */
export const SECURITY_USAGE = `security (docs/security.md): --security-protocol PLAINTEXT|SSL|SASL_PLAINTEXT|SASL_SSL
  (KAFKA_SECURITY_PROTOCOL), --sasl-mechanism PLAIN|SCRAM-SHA-256|SCRAM-SHA-512|OAUTHBEARER (KAFKA_SASL_MECHANISM),
  --sasl-username (KAFKA_SASL_USERNAME), password in KAFKA_SASL_PASSWORD or --sasl-password-file
  (KAFKA_SASL_PASSWORD_FILE), token in KAFKA_SASL_OAUTHBEARER_TOKEN, --ssl-ca-location (KAFKA_SSL_CA_LOCATION),
  --ssl-certificate-location / --ssl-key-location (mTLS; key passphrase in KAFKA_SSL_KEY_PASSWORD),
  --ssl-endpoint-identification-algorithm https|none, --enable-ssl-certificate-verification true|false`;

/** The parsed SECURITY_FLAGS, typed from their definition above. */
export type SecurityFlagValues = FlagValues<typeof SECURITY_FLAGS>;

function secretFile(flag: string, path: string): string {
  try {
    return readFileSync(path, 'utf8').replace(/\r?\n$/, '');
  } catch (err) {
    throw new UsageError(`--${flag}: cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? err})`);
  }
}

/**
 * TributaryConfig.security from the parsed flags and the environment's secrets (undefined for
 * PLAINTEXT). Throws UsageError when a setting is missing, belongs to a protocol or mechanism not
 * chosen, or is given twice, so a half-configured app exits 2 before connecting instead of failing
 * at the broker or silently ignoring a setting (docs/security.md lists the rules).
 */
export function securityFromFlags(
  v: SecurityFlagValues,
  env: Readonly<Record<string, string | undefined>> = process.env,
): KafkaSecurity | undefined {
  const protocol = v['security-protocol'];
  const useTls = protocol === 'SSL' || protocol === 'SASL_SSL';
  const useSasl = protocol === 'SASL_PLAINTEXT' || protocol === 'SASL_SSL';
  const tlsFlags = [
    'ssl-ca-location',
    'ssl-certificate-location',
    'ssl-key-location',
  ] as const satisfies readonly (keyof SecurityFlagValues)[];
  const given = (k: keyof SecurityFlagValues) => v[k] !== undefined;
  if (!useTls) {
    const stray = tlsFlags.find(given);
    if (stray) throw new UsageError(`--${stray} needs --security-protocol SSL or SASL_SSL (got ${protocol})`);
    // These two have defaults: only a value other than the default was asked for.
    if (v['ssl-endpoint-identification-algorithm'] !== 'https')
      throw new UsageError(
        `--ssl-endpoint-identification-algorithm needs --security-protocol SSL or SASL_SSL (got ${protocol})`,
      );
    if (v['enable-ssl-certificate-verification'] !== 'true')
      throw new UsageError(
        `--enable-ssl-certificate-verification needs --security-protocol SSL or SASL_SSL (got ${protocol})`,
      );
  }
  const saslFlags = ['sasl-mechanism', 'sasl-username', 'sasl-password-file'] as const;
  const straySasl = saslFlags.find(given);
  if (!useSasl && straySasl)
    throw new UsageError(
      `--${straySasl} needs --security-protocol SASL_SSL or SASL_PLAINTEXT (got ${protocol})`,
    );
  if (given('ssl-certificate-location') !== given('ssl-key-location'))
    throw new UsageError('--ssl-certificate-location and --ssl-key-location go together (mutual TLS)');
  if (env.KAFKA_SSL_KEY_PASSWORD && !given('ssl-key-location'))
    throw new UsageError(
      'KAFKA_SSL_KEY_PASSWORD is the passphrase of --ssl-key-location, which is not given',
    );
  let sasl: KafkaSecurity['sasl'];
  if (useSasl) {
    const mechanism = v['sasl-mechanism'];
    if (!mechanism)
      throw new UsageError(`--security-protocol ${protocol} needs --sasl-mechanism (KAFKA_SASL_MECHANISM)`);
    if (mechanism === 'OAUTHBEARER') {
      const userFlag = (['sasl-username', 'sasl-password-file'] as const).find(given);
      if (userFlag)
        throw new UsageError(
          `--${userFlag} is for PLAIN and SCRAM; OAUTHBEARER takes a token (KAFKA_SASL_OAUTHBEARER_TOKEN)`,
        );
      const token = env.KAFKA_SASL_OAUTHBEARER_TOKEN;
      if (!token)
        throw new UsageError('--sasl-mechanism OAUTHBEARER needs the token in KAFKA_SASL_OAUTHBEARER_TOKEN');
      sasl = { mechanism, token };
    } else {
      const username = v['sasl-username'];
      if (!username)
        throw new UsageError(`--sasl-mechanism ${mechanism} needs --sasl-username (KAFKA_SASL_USERNAME)`);
      const file = v['sasl-password-file'];
      if (file !== undefined && env.KAFKA_SASL_PASSWORD)
        throw new UsageError(
          'the password is given twice: KAFKA_SASL_PASSWORD and --sasl-password-file; give one',
        );
      const password = file !== undefined ? secretFile('sasl-password-file', file) : env.KAFKA_SASL_PASSWORD;
      if (!password)
        throw new UsageError(
          `--sasl-mechanism ${mechanism} needs the password in KAFKA_SASL_PASSWORD or --sasl-password-file`,
        );
      sasl = { mechanism, username, password };
    }
  }
  const ca = v['ssl-ca-location'];
  const cert = v['ssl-certificate-location'];
  const key = v['ssl-key-location'];
  const keyPassword = env.KAFKA_SSL_KEY_PASSWORD;
  const tls: KafkaSecurity['tls'] = useTls
    ? {
        ...(ca !== undefined ? { caFile: ca } : {}),
        ...(cert !== undefined ? { certFile: cert } : {}),
        ...(key !== undefined ? { keyFile: key } : {}),
        ...(keyPassword ? { keyPassword } : {}),
        verifyHostname: v['ssl-endpoint-identification-algorithm'] === 'https',
        rejectUnauthorized: v['enable-ssl-certificate-verification'] === 'true',
      }
    : undefined;
  if (!tls && !sasl) return undefined;
  return { ...(tls ? { tls } : {}), ...(sasl ? { sasl } : {}) };
}

/** A parsed command line with its `security` (securityFromFlags), for a main's parseCliOrExit callback. */
export function withSecurity<P extends { values: SecurityFlagValues }>(
  parsed: P,
  env: Readonly<Record<string, string | undefined>> = process.env,
): P & { security: KafkaSecurity | undefined } {
  return { ...parsed, security: securityFromFlags(parsed.values, env) };
}
