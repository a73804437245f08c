import { execFile } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const script = resolve(dirname(fileURLToPath(import.meta.url)), '../../../tools/kafka/kafka.sh');

export type ClusterSize = 1 | 3;

async function kafkaSh(args: string[]): Promise<string> {
  const { stdout } = await run('bash', [script, ...args], { maxBuffer: 16 * 1024 * 1024 });
  return stdout.trim();
}

/** Starts the Maven-jar broker (idempotent) and resolves with its bootstrap servers once metadata answers. */
export async function startLocalBroker(nodes: ClusterSize = 1): Promise<string> {
  const out = await kafkaSh(['start', '--nodes', String(nodes)]);
  return out.split('\n').at(-1) ?? '';
}

export async function stopLocalBroker(nodes: ClusterSize = 1): Promise<void> {
  await kafkaSh(['stop', '--nodes', String(nodes)]);
}

/** Whether the local broker of that size is already up and answering metadata. */
export async function localBrokerReady(nodes: ClusterSize = 1): Promise<boolean> {
  try {
    await kafkaSh(['status', '--nodes', String(nodes)]);
    return true;
  } catch {
    return false;
  }
}

/** kill -9 one node of the 3-node cluster (failover tests). */
export async function killClusterNode(node: 1 | 2 | 3): Promise<void> {
  await kafkaSh(['kill9', String(node), '--nodes', '3']);
}

export async function restartClusterNode(node: 1 | 2 | 3): Promise<void> {
  await kafkaSh(['startnode', String(node), '--nodes', '3']);
}
