/** Whether `work` settled (resolved or rejected) within `ms`; never rejects, never waits longer. */
export async function settlesWithin(work: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([
      work.then(
        () => true,
        () => true,
      ),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Waits until `work` settles (never rejects), calling `heartbeat` every `everyMs` meanwhile: keeps the
 * group session alive while a restore or commit holds the lock the work waits for.
 */
export async function heartbeatUntilSettled(
  work: Promise<unknown>,
  heartbeat: () => Promise<void>,
  everyMs = 1000,
): Promise<void> {
  while (!(await settlesWithin(work, everyMs))) await heartbeat().catch(() => {});
}
