import { execFile } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const script = resolve(dirname(fileURLToPath(import.meta.url)), '../../../tools/kafka/kafka.sh');

export type ClusterSize = 1 | 3;

async function kafkaShOutput(args: string[]): Promise<{ stdout: string; stderr: string }> {
  const { stdout, stderr } = await run('bash', [script, ...args], { maxBuffer: 16 * 1024 * 1024 });
  return { stdout: stdout.trim(), stderr };
}

async function kafkaSh(args: string[]): Promise<string> {
  return (await kafkaShOutput(args)).stdout;
}

/** Starts the Maven-jar broker (idempotent) and resolves with its bootstrap servers once metadata answers. */
export async function startLocalBroker(nodes: ClusterSize = 1): Promise<string> {
  return (await startOwnedLocalBroker(nodes)).bootstrapServers;
}

/**
 * Like startLocalBroker, and tells whether this call launched a broker process (kafka.sh says so only
 * when it did), so a caller stops only what it started: a status probe before the start can time out
 * on a loaded machine and would take a broker someone else runs for its own.
 */
export async function startOwnedLocalBroker(
  nodes: ClusterSize = 1,
): Promise<{ bootstrapServers: string; started: boolean }> {
  const { stdout, stderr } = await kafkaShOutput(['start', '--nodes', String(nodes)]);
  return { bootstrapServers: stdout.split('\n').at(-1) ?? '', started: /broker ready at/.test(stderr) };
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
