import { TributaryError } from '../../errors.js';

/** Kafka Streams' client states, in kebab-case. */
export type StreamsState =
  | 'created'
  | 'rebalancing'
  | 'running'
  | 'pending-shutdown'
  | 'not-running'
  | 'error';

const allowed: Record<StreamsState, readonly StreamsState[]> = {
  created: ['rebalancing', 'pending-shutdown', 'error'],
  rebalancing: ['running', 'rebalancing', 'pending-shutdown', 'error'],
  running: ['rebalancing', 'pending-shutdown', 'error'],
  'pending-shutdown': ['not-running', 'error'],
  'not-running': [],
  error: ['pending-shutdown', 'not-running'],
};

export type StateListener = (next: StreamsState, previous: StreamsState) => void;

/** The lifecycle as an explicit state machine: illegal transitions are bugs and throw. */
export class StateMachine {
  private current: StreamsState = 'created';
  private readonly listeners = new Set<StateListener>();

  get state(): StreamsState {
    return this.current;
  }

  onChange(listener: StateListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  transition(next: StreamsState): void {
    const previous = this.current;
    if (previous === next && next !== 'rebalancing') return;
    if (!allowed[previous].includes(next)) {
      throw new TributaryError('ILLEGAL_STATE', `illegal state transition ${previous} -> ${next}`);
    }
    this.current = next;
    for (const l of this.listeners) l(next, previous);
  }

  /** Waits until the state is one of `states`. */
  waitFor(...states: StreamsState[]): Promise<StreamsState> {
    if (states.includes(this.current)) return Promise.resolve(this.current);
    return new Promise((resolve) => {
      const off = this.onChange((next) => {
        if (states.includes(next)) {
          off();
          resolve(next);
        }
      });
    });
  }
}
