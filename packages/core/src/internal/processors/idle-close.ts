import type { ProcessorContext } from '../../processor/processor.js';
import type { OpenWindows } from './open-windows.js';

/**
 * The wall-clock side of idle close, shared by the windowed processors: with `idleTimeoutMs` set, a
 * punctuator checks every max(10, min(idleTimeoutMs, 1000)) ms and calls `close` once no record has
 * arrived for `idleTimeoutMs` while windows are open and the task is caught up (until then the timer
 * keeps restarting: windows must not close ahead of records that are still on their way).
 */
export class IdleClose {
  private lastActivity: number;

  constructor(
    private readonly ctx: ProcessorContext<unknown, unknown>,
    private readonly idleTimeoutMs: number | undefined,
    private readonly open: OpenWindows<unknown>,
    private readonly close: () => void,
  ) {
    this.lastActivity = ctx.currentSystemTime();
    if (idleTimeoutMs !== undefined) {
      ctx.schedule(Math.max(10, Math.min(idleTimeoutMs, 1000)), 'wall-clock', (now) => this.check(now));
    }
  }

  /** A record reached the processor. */
  touch(): void {
    this.lastActivity = this.ctx.currentSystemTime();
  }

  private check(now: number): void {
    if (this.open.size === 0 || !this.ctx.isCaughtUp()) {
      this.lastActivity = now;
      return;
    }
    if (now - this.lastActivity >= (this.idleTimeoutMs ?? 0)) this.close();
  }
}
