import type { ProcessorContext } from '../../processor/processor.js';
import type { KeyValueStore } from '../../state/store.js';

/**
 * A windowed operator's event-time clock, kept in its meta store so a restarted task never moves it
 * back. Under eventTime 'stream-time' it is the largest timestamp the operator has seen (Kafka
 * Streams' observed stream time); under 'watermark' it follows the task's watermark, and `onAdvance`
 * hears every move, also those no record brought here (another partition, an upstream report, a
 * partition going idle).
 */
export class OperatorClock {
  private current: number;

  constructor(
    private readonly ctx: ProcessorContext<unknown, unknown>,
    private readonly meta: KeyValueStore<string, number>,
    private readonly metaKey: string,
  ) {
    this.current = meta.get(metaKey) ?? Number.NEGATIVE_INFINITY;
  }

  get time(): number {
    return this.current;
  }

  /** Moves the clock for a record at `timestamp`; returns whether it moved. */
  advance(timestamp: number): boolean {
    const t = this.ctx.eventTime === 'watermark' ? this.ctx.currentStreamTime() : timestamp;
    if (!(t > this.current)) return false;
    this.current = t;
    this.meta.put(this.metaKey, t);
    return true;
  }

  /** Under 'watermark': calls `onAdvance` after every move of the watermark (a stream-time timer). */
  onAdvance(onAdvance: () => void): void {
    if (this.ctx.eventTime !== 'watermark') return;
    this.ctx.schedule(1, 'stream-time', () => {
      if (this.advance(Number.NEGATIVE_INFINITY)) onAdvance();
    });
  }
}
