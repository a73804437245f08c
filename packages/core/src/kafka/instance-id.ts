import { randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** File in the state directory that keeps an instance's group.instance.id across restarts. */
export const INSTANCE_ID_FILE = 'tributary-instance-id';

/**
 * The stable member id of an instance for static group membership: read from `<stateDir>/<file>`,
 * or made up and written there on first start (written to a temporary file and renamed, so a
 * crash never leaves half an id). Kept next to the local state on purpose: the id says "this
 * state", so a restarted instance that gets its partitions back finds its stores warm.
 */
export async function loadOrCreateInstanceId(stateDir: string, applicationId: string): Promise<string> {
  const path = join(stateDir, INSTANCE_ID_FILE);
  try {
    const existing = (await readFile(path, 'utf8')).trim();
    if (/^\S+$/.test(existing)) return existing;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const id = `${applicationId}-${randomUUID()}`;
  await mkdir(stateDir, { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, `${id}\n`);
  await rename(tmp, path);
  return id;
}

/** The static member id: configured, or kept in the state directory (platformatic adapter only). */
export async function groupInstanceIdOf(
  config: {
    readonly instanceId?: string | undefined;
    readonly applicationId: string;
    readonly stateBackend?: { readonly stateDir?: string | undefined } | undefined;
  },
  kafkaClient: string | undefined,
): Promise<string | undefined> {
  if (config.instanceId) return config.instanceId;
  const stateDir = config.stateBackend?.stateDir;
  if (kafkaClient !== 'platformatic' || !stateDir) return undefined;
  return loadOrCreateInstanceId(stateDir, config.applicationId);
}
