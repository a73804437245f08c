import { errorMessage, isTributaryError, TributaryError } from '../errors.js';
import type { LogFields, Logger, LogLevel } from '../logger.js';
import { chainStrings, errorChain } from './error-chain.js';
import type { KafkaSecurity } from './security.js';

// Failures of the security handshake, named for what the user has to fix, and the redaction that
// keeps passwords, tokens and keys out of every log line and error message.

const REDACTED = '[redacted]';

/** The configured secrets (password, static token, key and its passphrase). */
export function secretsOf(s: KafkaSecurity | undefined): string[] {
  const out: string[] = [];
  const sasl = s?.sasl;
  if (sasl && sasl.mechanism !== 'OAUTHBEARER') out.push(sasl.password);
  if (sasl?.mechanism === 'OAUTHBEARER' && typeof sasl.token === 'string') out.push(sasl.token);
  if (s?.tls?.keyPassword) out.push(s.tls.keyPassword);
  if (s?.tls?.key) out.push(s.tls.key);
  // Very short strings would blank out ordinary words; such passwords are refused by brokers anyway.
  return out.filter((x) => x.length >= 3);
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Replaces every configured secret in a string, in one pass (longest first where they overlap). */
export function redactor(s: KafkaSecurity | undefined): (text: string) => string {
  const secrets = secretsOf(s).sort((a, b) => b.length - a.length);
  if (secrets.length === 0) return (text) => text;
  const pattern = new RegExp(secrets.map(escapeRegExp).join('|'), 'g');
  return (text) => text.replace(pattern, REDACTED);
}

function redactValue(v: unknown, redact: (t: string) => string, depth: number): unknown {
  if (typeof v === 'string') return redact(v);
  if (v instanceof Error) return redact(v.stack ?? v.message);
  if (!v || typeof v !== 'object' || depth > 4) return v;
  if (Array.isArray(v)) return v.map((x) => redactValue(x, redact, depth + 1));
  if (Buffer.isBuffer(v)) return v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) out[k] = redactValue(x, redact, depth + 1);
  return out;
}

/** Loggers made by redactingLogger, with what they redact. */
const redacting = new WeakMap<Logger, string>();
const secretsKey = (s: KafkaSecurity | undefined) => secretsOf(s).sort().join('\0');

/**
 * A logger that scrubs the configured secrets from messages and fields (the runtime and the Kafka
 * clients log through it). Each line is redacted once: a logger that already redacts the same
 * secrets is returned as it is, and a line at a level the logger drops (`enabled`) is not redacted.
 */
export function redactingLogger(logger: Logger, s: KafkaSecurity | undefined): Logger {
  const key = secretsKey(s);
  if (key === '' || redacting.get(logger) === key) return logger;
  const redact = redactor(s);
  const fields = (f?: LogFields) => (f ? (redactValue(f, redact, 0) as LogFields) : f);
  const wrap = (l: Logger): Logger => {
    const on = (level: LogLevel) => l.enabled?.(level) ?? true;
    const out: Logger = {
      debug: (m, f) => {
        if (on('debug')) l.debug(redact(m), fields(f));
      },
      info: (m, f) => {
        if (on('info')) l.info(redact(m), fields(f));
      },
      warn: (m, f) => {
        if (on('warn')) l.warn(redact(m), fields(f));
      },
      error: (m, f) => {
        if (on('error')) l.error(redact(m), fields(f));
      },
      child: (f) => wrap(l.child(fields(f) ?? {})),
      enabled: on,
    };
    redacting.set(out, key);
    return out;
  };
  return wrap(logger);
}

interface Facts {
  names: string[];
  codes: string[];
  messages: string[];
}

/** Error names, codes (and protocol error names) and messages along a client error's chain. */
function factsOf(err: unknown): Facts {
  const chain = errorChain(err);
  return {
    names: chainStrings(chain, 'name'),
    codes: [...chainStrings(chain, 'code'), ...chainStrings(chain, 'apiId')],
    messages: chainStrings(chain, 'message'),
  };
}

/** OpenSSL/Node verification codes of an untrusted broker certificate. */
const UNTRUSTED = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_GET_ISSUER_CERT',
  'CERT_SIGNATURE_FAILURE',
  'CERT_UNTRUSTED',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_REVOKED',
]);

/** TLS alerts of a broker that refused the handshake: what a listener requiring mTLS sends. */
const HANDSHAKE_REFUSED = new Set([
  'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED',
  'ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE',
  'ERR_SSL_SSLV3_ALERT_CERTIFICATE_UNKNOWN',
  'ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE',
  'ERR_SSL_TLSV1_ALERT_UNKNOWN_CA',
  'ERR_SSL_TLSV1_ALERT_ACCESS_DENIED',
]);

/** What the client saw of the broker's certificate on the failed connection (kafkajs' errors drop it). */
export interface PeerFacts {
  /** The certificate's subjectAltName, as Node prints it (`DNS:a, IP Address:1.2.3.4`). */
  readonly certificateNames?: string | undefined;
  /** The client's connect (and SASL login) had succeeded; the failure came with the first request. */
  readonly authenticated?: boolean | undefined;
}

/** When a failure happened: on the port's first contact (the check before any client), or later. */
export type ContactPhase = 'first-contact' | 'later';

/**
 * A failure on first contact that retrying cannot fix, as a typed error naming the cause:
 * KAFKA_AUTH_FAILED (SASL rejected) or KAFKA_TLS_FAILED (certificate not trusted, name mismatch,
 * TLS against a plaintext port, plaintext against a TLS port). Undefined for anything else (a
 * broker not up yet, a timeout), which the clients retry as usual. A connection the broker closes
 * counts as "plaintext against TLS" only in the 'first-contact' phase: later, it is a broker going
 * away (the check has already talked to it with these settings).
 */
export function securityErrorOf(
  err: unknown,
  s: KafkaSecurity | undefined,
  brokers: string,
  phase: ContactPhase,
  peer: PeerFacts = {},
): TributaryError | undefined {
  if (isTributaryError(err)) return undefined; // already typed by the adapter (e.g. TASK_CORRUPTED)
  const redact = redactor(s);
  const f = factsOf(err);
  const detail = redact(errorMessage(err));
  const sasl = s?.sasl;
  const saslFailed =
    f.names.some((n) => n === 'KafkaJSSASLAuthenticationError' || n === 'AuthenticationError') ||
    f.codes.includes('SASL_AUTHENTICATION_FAILED') ||
    f.codes.includes('PLT_KFK_AUTHENTICATION');
  if (saslFailed) {
    const who = sasl && sasl.mechanism !== 'OAUTHBEARER' ? ` as user '${sasl.username}'` : '';
    return new TributaryError(
      'KAFKA_AUTH_FAILED',
      `SASL ${sasl?.mechanism ?? ''} authentication to ${brokers} failed${who}: the broker rejected the ` +
        `credentials (wrong password or token, unknown user, or no credential for this mechanism) [${detail}]`,
    );
  }
  const text = f.messages.join(' | ');
  const closed =
    f.names.includes('KafkaJSConnectionClosedError') ||
    f.names.includes('KafkaJSBrokerNotFound') ||
    f.codes.includes('ECONNRESET') ||
    /closed connection|connection closed|socket hang up/i.test(text);
  if (phase === 'first-contact' && peer.authenticated && sasl?.mechanism === 'OAUTHBEARER' && closed)
    return new TributaryError(
      'KAFKA_AUTH_FAILED',
      `SASL OAUTHBEARER authentication to ${brokers} failed: the broker closed the connection after ` +
        `the login, as it does when it rejects the token (expired, not yet valid, or claims or ` +
        `signature it does not accept) [${detail}]`,
    );
  const untrusted = f.codes.find((c) => UNTRUSTED.has(c));
  if (untrusted) {
    const fix = s?.tls?.caFile
      ? `security.tls.caFile (${s.tls.caFile}) does not hold the CA that signed it`
      : 'set security.tls.caFile to the CA that signed it';
    return new TributaryError(
      'KAFKA_TLS_FAILED',
      `TLS to ${brokers}: the broker's certificate is not trusted (${untrusted}): ${fix} [${detail}]`,
    );
  }
  if (f.codes.includes('ERR_TLS_CERT_ALTNAME_INVALID')) {
    const names = peer.certificateNames ? `it names ${peer.certificateNames} only; ` : '';
    return new TributaryError(
      'KAFKA_TLS_FAILED',
      `TLS to ${brokers}: the broker's certificate does not name this host (hostname verification): ` +
        `${names}connect by a name the certificate lists [${detail}]`,
    );
  }
  const refused = f.codes.find((c) => HANDSHAKE_REFUSED.has(c));
  if (refused) {
    const certFile = s?.tls?.certFile;
    const fix =
      certFile || s?.tls?.cert
        ? `it does not accept the client certificate${certFile ? ` (${certFile})` : ''}: it must be signed by a CA the broker trusts`
        : 'the listener requires a client certificate (mutual TLS): set security.tls.certFile and keyFile';
    return new TributaryError(
      'KAFKA_TLS_FAILED',
      `TLS to ${brokers}: the broker refused the TLS handshake (${refused}): ${fix} [${detail}]`,
    );
  }
  if (
    s?.tls &&
    /wrong version number|packet length too long|unknown protocol|verify the broker supports TLS/i.test(text)
  )
    return new TributaryError(
      'KAFKA_TLS_FAILED',
      `TLS to ${brokers}: the broker does not speak TLS on this port (a plaintext listener?) [${detail}]`,
    );
  if (phase === 'first-contact' && !s?.tls && closed)
    return new TributaryError(
      'KAFKA_TLS_FAILED',
      `plaintext connection to ${brokers} closed by the broker during the first request: the listener ` +
        `expects TLS (set security.tls) or SASL (security.sasl) [${detail}]`,
    );
  return undefined;
}

/**
 * Wraps a client's connect(): `firstContact` runs before it (once per port), and an unambiguous
 * security failure of the connect itself (SASL rejected, certificate refused) becomes the typed
 * error of securityErrorOf; anything else, typed errors of the adapter included, passes unchanged.
 */
export function checkedConnect<T extends { connect(): Promise<void> }>(
  client: T,
  firstContact: () => Promise<void>,
  s: KafkaSecurity | undefined,
  brokers: string,
): T {
  const connect = client.connect.bind(client);
  client.connect = async () => {
    await firstContact();
    try {
      await connect();
    } catch (err) {
      throw securityErrorOf(err, s, brokers, 'later') ?? err;
    }
  };
  return client;
}
