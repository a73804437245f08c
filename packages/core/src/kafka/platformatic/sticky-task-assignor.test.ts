import type { ClusterMetadata, ExtendedGroupProtocolSubscription } from '@platformatic/kafka';
import { describe, expect, it } from 'vitest';
import { stickyTaskAssigner, stickyTaskProtocol } from './sticky-task-assignor.js';

function metadata(counts: Record<string, number>): ClusterMetadata {
  return {
    topics: new Map(
      Object.entries(counts).map(([t, n]) => [
        t,
        { id: t, partitions: [], partitionsCount: n, lastUpdate: 0 },
      ]),
    ),
  } as unknown as ClusterMetadata;
}

function members(owned: Record<string, number[]>): Map<string, ExtendedGroupProtocolSubscription> {
  return new Map(
    Object.entries(owned).map(([memberId, list]) => [
      memberId,
      { memberId, version: 1, metadata: stickyTaskProtocol(() => list).metadata as Buffer },
    ]),
  );
}

/** memberId -> "topic:partitions" per topic, for compact expectations. */
function flatten(result: ReturnType<typeof stickyTaskAssigner>): Record<string, string[]> {
  return Object.fromEntries(
    result.map((m) => [
      m.memberId,
      [...m.assignments.values()].map((a) => `${a.topic}:${a.partitions.join(',')}`).sort(),
    ]),
  );
}

describe('stickyTaskAssigner (classic protocol, @platformatic/kafka)', () => {
  it('gives each member the same partition numbers of every topic (co-partitioned tasks stay together)', () => {
    const result = stickyTaskAssigner(
      'a',
      members({ a: [], b: [] }),
      new Set(['left', 'right']),
      metadata({ left: 4, right: 4 }),
    );
    expect(flatten(result)).toEqual({
      a: ['left:0,2', 'right:0,2'],
      b: ['left:1,3', 'right:1,3'],
    });
  });

  it('keeps the partition numbers members advertise they hold; a member back with nothing gets the rest', () => {
    const result = stickyTaskAssigner(
      'a',
      members({ a: [1, 4], b: [0, 5], c: [] }),
      new Set(['in']),
      metadata({ in: 6 }),
    );
    expect(flatten(result)).toEqual({ a: ['in:1,4'], b: ['in:0,5'], c: ['in:2,3'] });
  });

  it('advertises what the instance holds at each join, not at construction', () => {
    let owned = [0];
    const protocol = stickyTaskProtocol(() => owned);
    expect(JSON.parse(String(protocol.metadata))).toEqual({ owned: [0] });
    owned = [2, 3];
    expect(JSON.parse(String(protocol.metadata))).toEqual({ owned: [2, 3] });
  });
});
