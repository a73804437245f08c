import { Serdes, SessionWindows, StreamsBuilder } from '@tributary/core';
import { describe, expect, it } from 'vitest';
import { createTopics, uniqueName } from '../index.js';
import { runAcrossColdRestore } from './cold-restore.js';
import { closedAfterEach } from './helpers.js';

const MIN = 60_000;
const GAP = 30_000;
const T0 = Date.UTC(2025, 10, 6, 8, 0, 0);
const USERS = 9;

describe('session windows on the real broker', () => {
  const apps = closedAfterEach();

  it('a fresh instance restores open sessions from the changelog and emits each final session once', async () => {
    const input = uniqueName('session-in');
    const output = uniqueName('session-out');
    const applicationId = uniqueName('session-app');
    await createTopics([
      { name: input, partitions: 3 },
      { name: output, partitions: 3 },
    ]);
    const topology = () => {
      const b = new StreamsBuilder();
      b.stream<string, string>(input, { valueSerde: Serdes.string() })
        .groupByKey()
        .windowedBy(SessionWindows.ofInactivityGapAndGrace(GAP, 5_000))
        .count({ name: 'sessions' })
        .toStream()
        .map((w, n) => ({ key: `${w.key}@${w.window.start - T0}/${w.window.end - T0}`, value: n }))
        .to(output, { keySerde: Serdes.string(), valueSerde: Serdes.json<number>() });
      return b.build();
    };
    // Session s of every user starts at s * 10 min and has s + 2 records 10 s apart; phase 1 stops
    // inside session 1, so that session spans both instances.
    const truth = new Map<string, number>();
    const phase1: { key: string; value: string; timestamp: string }[] = [];
    const phase2: typeof phase1 = [];
    for (let s = 0; s < 4; s++) {
      for (let i = 0; i < s + 2; i++) {
        for (let u = 0; u < USERS; u++) {
          const ts = s * 10 * MIN + i * 10_000 + u * 100;
          (s < 1 || (s === 1 && i < 2) ? phase1 : phase2).push({
            key: `u${u}`,
            value: 'x',
            timestamp: String(T0 + ts),
          });
        }
      }
      for (let u = 0; u < USERS; u++) {
        const start = s * 10 * MIN + u * 100;
        truth.set(`u${u}@${start}/${start + (s + 1) * 10_000}`, s + 2);
      }
    }
    // One record per user far ahead closes every earlier session (its own stays open).
    for (let u = 0; u < USERS; u++)
      phase2.push({ key: `u${u}`, value: 'x', timestamp: String(T0 + 60 * MIN) });

    const got = await runAcrossColdRestore({
      topology,
      applicationId,
      input,
      output,
      phase1,
      phase2,
      store: 'sessions',
      apps,
    });
    expect(Object.fromEntries(got)).toEqual(Object.fromEntries([...truth].map(([k, n]) => [k, [n]])));
  });
});
