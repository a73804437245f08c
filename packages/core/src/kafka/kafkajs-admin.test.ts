import type { Admin } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { KafkajsAdmin, SharedAdmin } from './kafkajs-admin.js';

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

describe('KafkajsAdmin lookups', () => {
  it('go through the shared admin: a retriable failure is retried on a fresh client, not the long-lived one', async () => {
    const log: string[] = [];
    let created = 0;
    const leaderElection = Object.assign(new Error('no leader'), {
      type: 'LEADER_NOT_AVAILABLE',
      retriable: true,
    });
    const create = () => {
      const id = ++created;
      return {
        connect: async () => void log.push(`connect ${id}`),
        disconnect: async () => void log.push(`disconnect ${id}`),
        fetchOffsets: async () => {
          log.push(`fetchOffsets on ${id}`);
          if (id === 1) throw leaderElection;
          return [
            {
              topic: 't',
              partitions: [
                { partition: 0, offset: '5' },
                { partition: 1, offset: '-1' },
              ],
            },
          ];
        },
        fetchTopicOffsets: async () => {
          log.push(`fetchTopicOffsets on ${id}`);
          return [{ partition: 0, offset: '9', low: '0', high: '9' }];
        },
      } as unknown as Admin;
    };
    const own = {
      fetchOffsets: async () => {
        throw new Error('the long-lived admin must not serve lookups');
      },
    } as unknown as Admin;
    const admin = new KafkajsAdmin(own, new SharedAdmin(create, 1000));
    expect(await admin.committedOffsets('g', ['t'])).toEqual(new Map([['t:0', 5n]]));
    expect(await admin.endOffsets('t')).toEqual(new Map([[0, 9n]]));
    expect(log).toEqual([
      'connect 1',
      'fetchOffsets on 1',
      'disconnect 1',
      'connect 2',
      'fetchOffsets on 2',
      'fetchTopicOffsets on 2',
    ]);
  });
});
