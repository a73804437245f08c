import type { Clock } from '../../clock.js';
import type { StateBackend } from '../../state/store.js';
import type { ActiveTask } from './active-task.js';

export type CommitReason = 'interval' | 'requested' | 'cache-full' | 'rebalance' | 'revocation' | 'shutdown';

/**
 * When the runtime commits on its own: every `commitIntervalMs`, when a task asks for it (a sink
 * rolled a file, a processor called requestCommit), or when the backend's write caches are over
 * their budget (dirty entries cannot be evicted, only flushed by a commit).
 */
export class CommitSchedule {
  private lastCommit: number;

  constructor(
    private readonly intervalMs: number,
    private readonly clock: Clock,
    private readonly state: StateBackend | undefined,
  ) {
    this.lastCommit = clock.now();
  }

  /** Why a commit is due now, or undefined. */
  due(tasks: Iterable<ActiveTask>): CommitReason | undefined {
    if (this.clock.now() - this.lastCommit >= this.intervalMs) return 'interval';
    for (const t of tasks) if (t.commitRequested) return 'requested';
    if (this.state?.cacheOverBudget?.()) return 'cache-full';
    return undefined;
  }

  /** A commit started (whatever its reason): the interval counts from here. */
  started(): void {
    this.lastCommit = this.clock.now();
  }
}
