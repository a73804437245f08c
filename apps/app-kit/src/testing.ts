/** For the apps' CLI tests: run a main module through tsx and collect what it printed. */
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export { type DriverFuzzRun, fuzzOnDriver } from './fuzz-driver.js';
export {
  badRecordTimes,
  byteBatches,
  countKinds,
  digests,
  dlqProblems,
  dlqReasonProblems,
  type ExpectedReasons,
  either,
  type FuzzRecord,
  fuzzRecords,
  GENERIC_HOSTILE,
  genericReasons,
  type HostileMaker,
  NEAR_LIMIT_BYTES,
  prototypeChanges,
  prototypeSnapshot,
} from './hostile.js';

const TSX = join(dirname(fileURLToPath(import.meta.url)), '../../../node_modules/.bin/tsx');

export interface MainResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `tsx <file> ...args` with the broker pointed at a closed port, so a program that got past its
 * flag checks fails to connect instead of touching a real broker. Kills it after `timeoutMs`.
 */
export function runMain(file: string, args: readonly string[], timeoutMs = 45_000): Promise<MainResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(TSX, [file, ...args], {
      env: { ...process.env, KAFKA_BOOTSTRAP_SERVERS: '127.0.0.1:1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** A main module started through tsx that runs until told to stop (a `streams` command). */
export interface RunningMain {
  /** What it printed so far. */
  output(): { stdout: string; stderr: string };
  /** Settles when it exits by itself. */
  readonly exited: Promise<MainResult>;
  /** Sends `signal` and resolves with the exit; SIGKILL after `timeoutMs`. */
  stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<MainResult>;
}

/**
 * Starts `tsx <file> ...args` with the environment given (nothing pointed elsewhere, unlike
 * runMain): for tests that run an app's real command line against a broker.
 */
export function startMain(
  file: string,
  args: readonly string[],
  env: Readonly<Record<string, string | undefined>> = process.env,
): RunningMain {
  const child = spawn(TSX, [file, ...args], { env: { ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
  child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
  const exited = new Promise<MainResult>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
  return {
    output: () => ({ stdout, stderr }),
    exited,
    stop: async (signal = 'SIGTERM', timeoutMs = 30_000) => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      try {
        return await exited;
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

/** The parts of the testkit's SecureBroker the apps' flags need. */
export interface SecureBrokerFlags {
  readonly bootstrapServers: string;
  readonly caFile: string;
  readonly scram: { readonly username: string; readonly password: string };
}

/**
 * An app's connection flags for the local SASL_SSL broker: SCRAM-SHA-512 over TLS with its CA, the
 * password from `passwordFile` (written here), as a user would pass them.
 */
export async function secureCliFlags(broker: SecureBrokerFlags, passwordFile: string): Promise<string[]> {
  await writeFile(passwordFile, `${broker.scram.password}\n`, { mode: 0o600 });
  return [
    ...['--bootstrap-servers', broker.bootstrapServers, '--security-protocol', 'SASL_SSL'],
    ...['--sasl-mechanism', 'SCRAM-SHA-512', '--sasl-username', broker.scram.username],
    ...['--sasl-password-file', passwordFile, '--ssl-ca-location', broker.caFile],
  ];
}
