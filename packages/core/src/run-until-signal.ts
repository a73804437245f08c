import type { Tributary } from './tributary.js';

/**
 * Runs the app until SIGTERM or SIGINT, then closes it gracefully. Resolves with the exit code:
 * 0 after a clean shutdown, 1 if the app stopped with an error.
 */
export async function runUntilSignal(app: Tributary): Promise<number> {
  const controller = new AbortController();
  const onSignal = () => controller.abort();
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
  try {
    await app.start({ signal: controller.signal });
    await app.done;
    return 0;
  } catch {
    return 1;
  } finally {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
  }
}
