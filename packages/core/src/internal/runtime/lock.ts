/** Runs async sections one at a time, in call order (batches, commits, rebalances, ticks). */
export class SerialLock {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.tail.then(fn, fn);
    this.tail = result.catch(() => {});
    return result;
  }
}

/** Waits for `work` to settle (never rejects), calling `heartbeat` every second until it does. */
export async function heartbeatUntilSettled(
  work: Promise<unknown>,
  heartbeat: () => Promise<void>,
): Promise<void> {
  let settled = false;
  const done = work.then(
    () => {
      settled = true;
    },
    () => {
      settled = true;
    },
  );
  while (!settled) {
    await Promise.race([done, new Promise((r) => setTimeout(r, 1000))]);
    if (!settled) await heartbeat().catch(() => {});
  }
}
