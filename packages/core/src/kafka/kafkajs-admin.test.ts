import type { Admin } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { SharedAdmin } from './kafkajs-admin.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Admin clients that count their connects and disconnects; `failConnects` first connects fail. */
function admins(failConnects = 0) {
  const log: string[] = [];
  let created = 0;
  const create = () => {
    const id = ++created;
    return {
      connect: async () => {
        log.push(`connect ${id}`);
        if (failConnects-- > 0) throw new Error('broker not reachable');
      },
      disconnect: async () => {
        log.push(`disconnect ${id}`);
      },
      fetchTopicOffsets: async () => [{ partition: 0, offset: '7', low: '2', high: '7' }],
    } as unknown as Admin;
  };
  return { log, create };
}

describe('SharedAdmin', () => {
  it('connects once for overlapping and back-to-back uses, and disconnects once idle', async () => {
    const a = admins();
    const shared = new SharedAdmin(a.create, 30);
    await Promise.all([shared.topicOffsets('t'), shared.topicOffsets('t')]);
    await shared.topicOffsets('t');
    expect(a.log).toEqual(['connect 1']);
    await sleep(60);
    expect(a.log).toEqual(['connect 1', 'disconnect 1']);
    expect(await shared.topicOffsets('t')).toEqual([{ partition: 0, low: 2n, high: 7n }]);
    expect(a.log).toEqual(['connect 1', 'disconnect 1', 'connect 2']);
  });

  it('stays connected while a use runs longer than the idle time', async () => {
    const a = admins();
    const shared = new SharedAdmin(a.create, 10);
    await shared.use(() => sleep(40));
    expect(a.log).toEqual(['connect 1']);
  });

  it('replaces a client after a failed lookup, once the lookups still on it are done', async () => {
    const a = admins();
    const shared = new SharedAdmin(a.create, 1000);
    const slow = shared.use(() => sleep(20));
    await expect(shared.use(async () => Promise.reject(new Error('NOT_LEADER')))).rejects.toThrow(
      'NOT_LEADER',
    );
    await shared.topicOffsets('t');
    expect(a.log).toEqual(['connect 1', 'connect 2']);
    await slow;
    await sleep(0);
    expect(a.log).toEqual(['connect 1', 'connect 2', 'disconnect 1']);
  });

  it('does not keep a client whose connect failed', async () => {
    const a = admins(1);
    const shared = new SharedAdmin(a.create, 10);
    await expect(shared.topicOffsets('t')).rejects.toThrow('broker not reachable');
    await shared.topicOffsets('t');
    expect(a.log).toEqual(['connect 1', 'connect 2']);
  });
});
