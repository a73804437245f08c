import { open, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';

export const CHECKPOINT_FILE = '.checkpoint';
export const CHECKPOINT_VERSION = 1;

/**
 * `<stateDir>/<applicationId>/<taskId>/.checkpoint`, e.g.
 * `{"version":1,"applicationId":"app","taskId":"0_3","offsets":{"app-counts-changelog":"1042"}}`.
 * Offsets are decimal strings (bigint-safe): per changelog topic, the next offset to read.
 */
interface CheckpointFile {
  readonly version: number;
  readonly applicationId: string;
  readonly taskId: string;
  readonly offsets: Record<string, string>;
}

export interface TaskIdentity {
  readonly applicationId: string;
  readonly taskId: string;
}

export type CheckpointRead =
  | { readonly valid: true; readonly offsets: ReadonlyMap<string, bigint> }
  | { readonly valid: false; readonly reason: string };

export function checkpointPath(taskDir: string): string {
  return join(taskDir, CHECKPOINT_FILE);
}

/** Reads the task's checkpoint; anything but a well-formed file for this exact task is invalid. */
export async function readCheckpoint(taskDir: string, task: TaskIdentity): Promise<CheckpointRead> {
  let text: string;
  try {
    text = await readFile(checkpointPath(taskDir), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { valid: false, reason: 'missing' };
    throw err;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { valid: false, reason: 'unparsable' };
  }
  if (!isCheckpointFile(parsed)) return { valid: false, reason: 'malformed' };
  if (parsed.version !== CHECKPOINT_VERSION) return { valid: false, reason: `version ${parsed.version}` };
  if (parsed.applicationId !== task.applicationId || parsed.taskId !== task.taskId) {
    return { valid: false, reason: `belongs to ${parsed.applicationId}/${parsed.taskId}` };
  }
  const offsets = new Map<string, bigint>();
  for (const [topic, offset] of Object.entries(parsed.offsets)) {
    if (!/^\d+$/.test(offset)) return { valid: false, reason: `bad offset for ${topic}` };
    offsets.set(topic, BigInt(offset));
  }
  return { valid: true, offsets };
}

/** Writes atomically: a temp file, fsync, then rename over the old one. */
export async function writeCheckpoint(
  taskDir: string,
  task: TaskIdentity,
  offsets: ReadonlyMap<string, bigint>,
): Promise<void> {
  const body: CheckpointFile = {
    version: CHECKPOINT_VERSION,
    applicationId: task.applicationId,
    taskId: task.taskId,
    offsets: Object.fromEntries([...offsets].map(([topic, offset]) => [topic, offset.toString()])),
  };
  const path = checkpointPath(taskDir);
  const tmp = `${path}.tmp`;
  const file = await open(tmp, 'w');
  try {
    await file.writeFile(`${JSON.stringify(body)}\n`);
    await file.sync();
  } finally {
    await file.close();
  }
  await rename(tmp, path);
}

export async function deleteCheckpoint(taskDir: string): Promise<void> {
  await rm(checkpointPath(taskDir), { force: true });
}

function isCheckpointFile(v: unknown): v is CheckpointFile {
  if (typeof v !== 'object' || v === null) return false;
  const o = v as Record<string, unknown>;
  return (
    typeof o.version === 'number' &&
    typeof o.applicationId === 'string' &&
    typeof o.taskId === 'string' &&
    typeof o.offsets === 'object' &&
    o.offsets !== null &&
    Object.values(o.offsets).every((x) => typeof x === 'string')
  );
}
