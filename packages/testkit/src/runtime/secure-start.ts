import { inspect } from 'node:util';
import {
  type KafkaSecurity,
  kafkajsPort,
  type LogFields,
  type Logger,
  StreamsBuilder,
  silentLogger,
  Tributary,
  type TributaryError,
} from '@tributary/core';
import { expect } from 'vitest';

// The security tests' start(): what a misconfigured connection does to an app, with everything the
// app showed (error, stack, causes, log lines, metrics, describe) gathered to check for secrets.

/** Every line as JSON, at every level, into `lines`. */
export function capturingLogger(lines: string[], base: LogFields = {}): Logger {
  const write = (level: string) => (msg: string, fields?: LogFields) =>
    void lines.push(
      // The runtime logs offsets as bigints, which JSON.stringify refuses.
      JSON.stringify({ level, msg, ...base, ...fields }, (_k, v) => (typeof v === 'bigint' ? String(v) : v)),
    );
  return {
    debug: write('debug'),
    info: write('info'),
    warn: write('warn'),
    error: write('error'),
    child: (f) => capturingLogger(lines, { ...base, ...f }),
  };
}

/** An admin over `security` connects and answers a metadata lookup. */
export async function expectConnects(bootstrapServers: string, security: KafkaSecurity): Promise<void> {
  const admin = kafkajsPort({ bootstrapServers, security, logger: silentLogger }).admin();
  await admin.connect();
  try {
    expect(await admin.partitionCounts(['absent-topic'])).toEqual(new Map());
  } finally {
    await admin.disconnect();
  }
}

function topology() {
  const b = new StreamsBuilder();
  b.stream('secure-in').to('secure-out');
  return b.build();
}

/**
 * start() of a one-step app with this connection; resolves with the error it failed with, the time
 * it took, and everything it showed. Checks that the app ended in `error` with `done` rejected.
 */
export async function failedStart(
  bootstrapServers: string,
  security: KafkaSecurity | undefined,
  kafkaClient: 'kafkajs' | 'platformatic' = 'kafkajs',
) {
  const lines: string[] = [];
  const topo = topology();
  const app = new Tributary(topo, {
    applicationId: 'secure-failure',
    bootstrapServers,
    security,
    kafkaClient,
    logger: capturingLogger(lines),
  });
  const started = Date.now();
  const err = (await app.start().then(
    () => undefined,
    (e: unknown) => e,
  )) as TributaryError | undefined;
  const ms = Date.now() - started;
  if (err === undefined) await app.close();
  else await expect(app.done).rejects.toBe(err);
  expect(app.state).toBe(err === undefined ? 'not-running' : 'error');
  const everything = [
    err?.message,
    err?.stack,
    inspect(err, { depth: 10 }),
    JSON.stringify(err),
    ...lines,
    JSON.stringify(app.metrics()),
    JSON.stringify(topo.describe()),
  ].join('\n');
  return { err, ms, lines, everything };
}
