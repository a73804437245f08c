import type { Tributary } from './tributary.js';

/**
 * Runs the app until SIGTERM or SIGINT, then closes it gracefully. Resolves with the exit code:
 * 0 after a clean shutdown, 1 if the app stopped with an error. A second signal while the app is
 * still closing does not wait any longer: it resolves with 1 at once (the caller then exits).
 */
export async function runUntilSignal(app: Tributary): Promise<number> {
  const controller = new AbortController();
  let forced: (() => void) | undefined;
  const givenUp = new Promise<number>((resolve) => {
    forced = () => resolve(1);
  });
  const onSignal = () => {
    if (controller.signal.aborted) forced?.();
    else controller.abort();
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  try {
    const run = (async () => {
      await app.start({ signal: controller.signal });
      await app.done;
      return 0;
    })().catch(() => 1);
    return await Promise.race([run, givenUp]);
  } finally {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
  }
}
