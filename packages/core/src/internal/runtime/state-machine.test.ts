import { describe, expect, it } from 'vitest';
import { isTributaryError } from '../../errors.js';
import { StateMachine } from './state-machine.js';

describe('StateMachine', () => {
  it('walks the normal lifecycle and tells listeners', () => {
    const sm = new StateMachine();
    const seen: string[] = [];
    sm.onChange((n, p) => seen.push(`${p}->${n}`));
    sm.transition('rebalancing');
    sm.transition('running');
    sm.transition('rebalancing');
    sm.transition('running');
    sm.transition('pending-shutdown');
    sm.transition('not-running');
    expect(seen).toEqual([
      'created->rebalancing',
      'rebalancing->running',
      'running->rebalancing',
      'rebalancing->running',
      'running->pending-shutdown',
      'pending-shutdown->not-running',
    ]);
  });

  it('rejects illegal transitions', () => {
    const sm = new StateMachine();
    let err: unknown;
    try {
      sm.transition('running');
    } catch (e) {
      err = e;
    }
    expect(isTributaryError(err, 'ILLEGAL_STATE')).toBe(true);
    sm.transition('error');
    expect(() => sm.transition('running')).toThrow(/error -> running/);
  });

  it('waitFor resolves on a later transition', async () => {
    const sm = new StateMachine();
    const waiting = sm.waitFor('running');
    sm.transition('rebalancing');
    sm.transition('running');
    await expect(waiting).resolves.toBe('running');
  });
});
