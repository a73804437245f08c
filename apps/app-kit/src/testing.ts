/** For the apps' CLI tests: run a main module through tsx and collect what it printed. */
import { spawn } from 'node:child_process';
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
