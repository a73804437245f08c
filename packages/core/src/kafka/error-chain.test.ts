import { describe, expect, it } from 'vitest';
import { chainStrings, errorChain } from './error-chain.js';

describe('errorChain', () => {
  it('walks cause, originalError and errors[] depth-first, each error once', () => {
    const leaf = Object.assign(new Error('leaf'), { type: 'LEADER_NOT_AVAILABLE' });
    const attempt = Object.assign(new Error('attempt'), { errors: [leaf, 'not an error', null] });
    const retries = Object.assign(new Error('retries exceeded'), { originalError: attempt });
    const top = new Error('top', { cause: retries });
    const shared = Object.assign(new Error('batch'), { errors: [top, top] });
    expect(errorChain(shared).map((e) => e.message)).toEqual([
      'batch',
      'top',
      'retries exceeded',
      'attempt',
      'leaf',
    ]);
    expect(chainStrings(errorChain(shared), 'type')).toEqual(['LEADER_NOT_AVAILABLE']);
  });

  it('ends on a cycle and below a bounded depth; a non-object is an empty chain', () => {
    const a = new Error('a');
    const b = new Error('b', { cause: a });
    Object.assign(a, { cause: b });
    expect(errorChain(a).map((e) => e.message)).toEqual(['a', 'b']);
    let deep: Error = new Error('0');
    for (let i = 1; i < 50; i++) deep = new Error(String(i), { cause: deep });
    expect(errorChain(deep).length).toBeLessThan(10);
    expect(errorChain('boom')).toEqual([]);
    expect(errorChain(undefined)).toEqual([]);
  });
});
