import { describe, expect, it } from 'vitest';
import type { RawRecord } from '../kafka/ports.js';
import { silentLogger } from '../logger.js';
import {
  decodeHeartbeat,
  encodeHeartbeat,
  INSTANCE_EXPIRY_MS,
  InstanceDirectory,
} from './instance-directory.js';

function heartbeat(server: string, at: number, tasks: string[], restoring: string[] = []): RawRecord {
  return {
    topic: 'app-instances',
    partition: 0,
    offset: 0n,
    key: Buffer.from(server),
    value: Buffer.from(JSON.stringify({ applicationServer: server, state: 'running', tasks, restoring, at })),
    timestamp: at,
    headers: {},
  };
}

describe('instance directory (the <applicationId>-instances topic)', () => {
  it('follows heartbeats and tombstones; the newest claim of a task wins', () => {
    let now = 10_000;
    const dir = new InstanceDirectory(
      'app',
      'a:1',
      () => ({ state: 'running', tasks: [], restoring: [] }),
      silentLogger,
      { now: () => now },
    );
    dir.apply([heartbeat('a:1', 9000, ['0_0', '0_1']), heartbeat('b:1', 9500, ['0_2'], ['0_3'])]);
    expect(dir.ownerOf('0_1')).toBe('a:1');
    expect(dir.ownerOf('0_3')).toBe('b:1');
    // A rebalance moved 0_1 to b; a's next heartbeat has not come yet: b's newer one wins.
    dir.apply([heartbeat('b:1', 9800, ['0_1', '0_2'])]);
    expect(dir.ownerOf('0_1')).toBe('b:1');
    expect(dir.ownerOf('0_3')).toBeUndefined();
    dir.apply([{ ...heartbeat('b:1', 9900, []), value: null }]);
    expect(dir.ownerOf('0_2')).toBeUndefined();
    expect(dir.all().map((i) => i.applicationServer)).toEqual(['a:1']);
    // An instance that stopped sending (crashed) drops out after the expiry.
    dir.apply([heartbeat('c:1', now, ['0_5'])]);
    now += INSTANCE_EXPIRY_MS + 1;
    expect(dir.ownerOf('0_5')).toBeUndefined();
  });

  it('ignores records that are not heartbeats', () => {
    expect(decodeHeartbeat(Buffer.from('not json'))).toBeUndefined();
    expect(decodeHeartbeat(Buffer.from('{"applicationServer":3,"at":1}'))).toBeUndefined();
    expect(decodeHeartbeat(Buffer.from('{"applicationServer":"x:1","at":1,"tasks":[1,"0_1"]}'))).toEqual({
      applicationServer: 'x:1',
      state: 'unknown',
      tasks: ['0_1'],
      restoring: [],
      at: 1,
    });
  });
  it('heartbeats go through the strict JSON serde: round trip, and hostile values are not heartbeats', () => {
    const info = { applicationServer: 'a:1', state: 'running', tasks: ['0_1'], restoring: ['1_0'], at: 5 };
    expect(decodeHeartbeat(encodeHeartbeat(info))).toEqual(info);
    const hostile = [
      '{"__proto__":{"x":1},"applicationServer":"x:1","at":1}',
      `${'['.repeat(20)}${']'.repeat(20)}`,
      'null',
    ];
    for (const text of hostile) expect(decodeHeartbeat(Buffer.from(text))).toBeUndefined();
    expect(decodeHeartbeat(Buffer.from([0x7b, 0xff, 0x7d]))).toBeUndefined();
  });
});
