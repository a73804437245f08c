import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import type { ConnectionOptions as TlsOptions } from 'node:tls';
import type { ConnectionOptions as PlatformaticConnectionOptions } from '@platformatic/kafka';
import type { KafkaConfig, SASLOptions } from 'kafkajs';
import { errorMessage, TributaryError } from '../errors.js';

// Connection security, described once for every Kafka client the runtime opens (admin, producers,
// consumer, global tailer, changelog restores) and mapped here, and only here, to kafkajs and to
// @platformatic/kafka options. See docs/security.md.

/** TLS to the brokers. An empty object means TLS with Node's default trusted roots. */
export interface TlsSecurity {
  /** PEM file of the CA(s) that signed the brokers' certificates (instead of Node's default roots). */
  readonly caFile?: string;
  /** The same as PEM text, for callers that hold it in memory. */
  readonly ca?: string;
  /** Client certificate (PEM) for mutual TLS; needs `keyFile` or `key`. */
  readonly certFile?: string;
  readonly cert?: string;
  /** Client private key (PEM) for mutual TLS. A secret: never logged. */
  readonly keyFile?: string;
  readonly key?: string;
  /** Passphrase of an encrypted private key. A secret: never logged. */
  readonly keyPassword?: string;
  /** Check that the broker's certificate names the host connected to. Default true. */
  readonly verifyHostname?: boolean;
  /** Reject a certificate that does not chain to a trusted CA. Default true; false only for tests. */
  readonly rejectUnauthorized?: boolean;
}

export type SaslMechanism = 'PLAIN' | 'SCRAM-SHA-256' | 'SCRAM-SHA-512' | 'OAUTHBEARER';

export type SaslSecurity =
  | {
      readonly mechanism: 'PLAIN' | 'SCRAM-SHA-256' | 'SCRAM-SHA-512';
      readonly username: string;
      /** A secret: never logged, never in an error message. */
      readonly password: string;
    }
  | {
      readonly mechanism: 'OAUTHBEARER';
      /** The bearer token, or a function returning a fresh one (called at each authentication). */
      readonly token: string | (() => string | Promise<string>);
    };

/** Kafka's security.protocol follows from it: PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL. */
export interface KafkaSecurity {
  readonly tls?: TlsSecurity;
  readonly sasl?: SaslSecurity;
}

const MECHANISMS: readonly SaslMechanism[] = ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512', 'OAUTHBEARER'];

/** Kafka's name for the combination, for logs and messages. */
export function securityProtocolOf(s: KafkaSecurity | undefined): string {
  if (s?.sasl) return s.tls ? 'SASL_SSL' : 'SASL_PLAINTEXT';
  return s?.tls ? 'SSL' : 'PLAINTEXT';
}

/**
 * The one line every client of a port logs when it first connects: protocol, SASL mechanism and
 * user, and the TLS settings, never a password, token or key.
 */
export function securitySummary(s: KafkaSecurity | undefined): string {
  const parts = [securityProtocolOf(s)];
  const sasl = s?.sasl;
  if (sasl)
    parts.push(`SASL ${sasl.mechanism}${sasl.mechanism === 'OAUTHBEARER' ? '' : ` as '${sasl.username}'`}`);
  const t = s?.tls;
  if (t) {
    const ca = t.caFile ? `CA ${t.caFile}` : t.ca ? 'CA given inline' : "Node's default CAs";
    const cert = t.certFile
      ? `client certificate ${t.certFile}`
      : t.cert
        ? 'client certificate given inline'
        : 'no client certificate';
    const host = t.verifyHostname === false ? 'hostname NOT verified' : 'hostname verified';
    const chain = t.rejectUnauthorized === false ? ', certificate NOT verified' : '';
    parts.push(`TLS (${ca}, ${cert}, ${host}${chain})`);
  }
  return parts.join('; ');
}

/** What may be logged about the security settings: no password, token or key. */
export function describeSecurity(s: KafkaSecurity | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = { securityProtocol: securityProtocolOf(s) };
  if (s?.sasl) {
    out.saslMechanism = s.sasl.mechanism;
    if (s.sasl.mechanism !== 'OAUTHBEARER') out.saslUsername = s.sasl.username;
  }
  if (s?.tls) {
    if (s.tls.caFile) out.tlsCaFile = s.tls.caFile;
    out.tlsClientCertificate = Boolean(s.tls.certFile ?? s.tls.cert);
    out.tlsVerifyHostname = s.tls.verifyHostname !== false;
    out.tlsRejectUnauthorized = s.tls.rejectUnauthorized !== false;
  }
  return out;
}

function readPem(field: string, file: string | undefined, inline: string | undefined): string | undefined {
  if (inline !== undefined) return inline;
  if (file === undefined) return undefined;
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    // The path only: the file's content may be a key.
    throw new TributaryError(
      'CONFIG_INVALID',
      `security.tls.${field}: cannot read ${file} (${errorMessage(err)})`,
    );
  }
}

/** TLS options already built, per `tls` block: both clients and every port on one config share them. */
const builtTls = new WeakMap<TlsSecurity, TlsOptions>();

/**
 * Node TLS options from the config; undefined without TLS. The PEM files are read once per `tls`
 * block, at the first call (when the port is built), not once per client or adapter.
 */
export function tlsOptionsOf(s: KafkaSecurity | undefined): TlsOptions | undefined {
  const t = s?.tls;
  if (!t) return undefined;
  const built = builtTls.get(t);
  if (built) return built;
  const ca = readPem('caFile', t.caFile, t.ca);
  const cert = readPem('certFile', t.certFile, t.cert);
  const key = readPem('keyFile', t.keyFile, t.key);
  if ((cert === undefined) !== (key === undefined))
    throw new TributaryError(
      'CONFIG_INVALID',
      'security.tls: a client certificate needs its private key and the other way round (certFile and keyFile)',
    );
  const options: TlsOptions = {
    ...(ca !== undefined ? { ca: [ca] } : {}),
    ...(cert !== undefined ? { cert } : {}),
    ...(key !== undefined ? { key } : {}),
    ...(t.keyPassword !== undefined ? { passphrase: t.keyPassword } : {}),
    rejectUnauthorized: t.rejectUnauthorized !== false,
    ...(t.verifyHostname === false ? { checkServerIdentity: () => undefined } : {}),
  };
  builtTls.set(t, options);
  return options;
}

/** The host of a `host:port`, `[v6]:port`, `host` or `[v6]` broker address. */
export function hostOf(broker: string): string {
  const b = broker.trim();
  if (b.startsWith('[')) {
    const end = b.indexOf(']');
    return end < 0 ? b.slice(1) : b.slice(1, end);
  }
  const colon = b.lastIndexOf(':');
  // More than one colon and no brackets: a bare IPv6 address, no port.
  if (colon < 0 || b.indexOf(':') !== colon) return b;
  return b.slice(0, colon);
}

/** Throws CONFIG_INVALID on an incomplete SASL block (before any connection). */
export function checkSasl(s: KafkaSecurity | undefined): void {
  const sasl = s?.sasl;
  if (!sasl) return;
  if (!MECHANISMS.includes(sasl.mechanism))
    throw new TributaryError(
      'CONFIG_INVALID',
      `security.sasl.mechanism must be one of ${MECHANISMS.join(', ')} (got ${JSON.stringify(sasl.mechanism)})`,
    );
  if (sasl.mechanism === 'OAUTHBEARER') {
    if (!sasl.token)
      throw new TributaryError('CONFIG_INVALID', 'security.sasl.token is required for OAUTHBEARER');
    return;
  }
  if (!sasl.username)
    throw new TributaryError('CONFIG_INVALID', `security.sasl.username is required for ${sasl.mechanism}`);
  if (!sasl.password)
    throw new TributaryError('CONFIG_INVALID', `security.sasl.password is required for ${sasl.mechanism}`);
}

const tokenOf = (token: string | (() => string | Promise<string>)) => async () =>
  typeof token === 'string' ? token : await token();

/** The kafkajs `ssl` and `sasl` settings. */
export function kafkajsSecurityOptions(s: KafkaSecurity | undefined): Pick<KafkaConfig, 'ssl' | 'sasl'> {
  checkSasl(s);
  const ssl = tlsOptionsOf(s);
  const sasl = s?.sasl;
  let saslOptions: SASLOptions | undefined;
  if (sasl?.mechanism === 'OAUTHBEARER') {
    const token = tokenOf(sasl.token);
    saslOptions = { mechanism: 'oauthbearer', oauthBearerProvider: async () => ({ value: await token() }) };
  } else if (sasl) {
    const mechanism = sasl.mechanism.toLowerCase() as 'plain' | 'scram-sha-256' | 'scram-sha-512';
    saslOptions = { mechanism, username: sasl.username, password: sasl.password } as SASLOptions;
  }
  return { ...(ssl ? { ssl } : {}), ...(saslOptions ? { sasl: saslOptions } : {}) };
}

/** The @platformatic/kafka connection settings (`tls`, `tlsServerName`, `sasl`). */
export function platformaticSecurityOptions(
  s: KafkaSecurity | undefined,
  bootstrapBrokers: readonly string[],
): Pick<PlatformaticConnectionOptions, 'tls' | 'tlsServerName' | 'sasl'> {
  checkSasl(s);
  const tls = tlsOptionsOf(s);
  const sasl = s?.sasl;
  // SNI with the host name (managed clusters route on it), as kafkajs does; never for IP addresses.
  const byName = bootstrapBrokers.every((b) => isIP(hostOf(b)) === 0);
  return {
    ...(tls ? { tls, ...(byName ? { tlsServerName: true } : {}) } : {}),
    ...(sasl?.mechanism === 'OAUTHBEARER'
      ? { sasl: { mechanism: 'OAUTHBEARER', token: tokenOf(sasl.token) } }
      : sasl
        ? { sasl: { mechanism: sasl.mechanism, username: sasl.username, password: sasl.password } }
        : {}),
  };
}
