import { type ChildProcess, spawn } from 'node:child_process';
import { type RestoreProgress, type Topology, Tributary, type TributaryConfig } from '@tributary/core';
import { levelDbBackend } from '@tributary/state';
import type { Message } from 'kafkajs';
import { expect } from 'vitest';
import { bootstrapServers, produceAll, waitForCommittedToEnd } from '../kafka.js';

// Helpers of the runtime tests that start instances (in process or as child processes); not part
// of the package's exports, so its index does not depend on @tributary/state.

/**
 * One phase of a restart test: produces each topic's messages, runs a new instance on `stateDir`
 * until its group has committed every input topic to the end, closes it, and returns its restore
 * events.
 */
export async function runPhase(opts: {
  topology: () => Topology;
  config: Omit<TributaryConfig, 'stateBackend'>;
  stateDir: string;
  inputs: readonly (readonly [string, Message[]])[];
  apps: Tributary[];
}): Promise<RestoreProgress[]> {
  for (const [topic, messages] of opts.inputs) await produceAll(topic, messages);
  const app = new Tributary(opts.topology(), {
    ...opts.config,
    stateBackend: levelDbBackend({ stateDir: opts.stateDir }),
  });
  const events: RestoreProgress[] = [];
  app.onRestoreProgress((e) => events.push(e));
  opts.apps.push(app);
  await app.start();
  for (const [topic] of opts.inputs)
    expect(await waitForCommittedToEnd(opts.config.applicationId, topic, 90_000)).toBe(true);
  await app.close();
  return events;
}

/** A TypeScript fixture run as a child process against the test broker, its output captured. */
export function spawnFixture(
  file: string,
  env: Record<string, string>,
): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  let out = '';
  const child = spawn(process.execPath, ['--import', 'tsx', file], {
    env: { ...process.env, ...env, KAFKA_BOOTSTRAP_SERVERS: bootstrapServers() },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (d) => {
    out += d.toString();
  });
  child.stderr?.on('data', (d) => {
    out += d.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => out, exited };
}
