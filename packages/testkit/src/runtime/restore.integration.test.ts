import { cp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import {
  type RestoreProgress,
  Serdes,
  StreamsBuilder,
  TimeWindows,
  Tributary,
  type Windowed,
} from '@tributary/core';
import { levelDbBackend } from '@tributary/state';
import { describe, expect, it } from 'vitest';
import {
  bootstrapServers,
  consumeAll,
  createTopics,
  produceAll,
  uniqueName,
  waitForCommittedToEnd,
} from '../index.js';
import { runAcrossColdRestore } from './cold-restore.js';
import { closedAfterEach, tempDir, testLogger } from './helpers.js';

const MIN = 60_000;
const T0 = Date.UTC(2025, 10, 6, 8, 0, 0);
const USERS = 9;

describe('state restore on the real broker', () => {
  const apps = closedAfterEach();

  async function runToEnd(app: Tributary, applicationId: string, input: string): Promise<RestoreProgress[]> {
    const events: RestoreProgress[] = [];
    app.onRestoreProgress((e) => events.push(e));
    apps.push(app);
    await app.start();
    expect(await waitForCommittedToEnd(applicationId, input, 90_000)).toBe(true);
    await app.close();
    return events;
  }

  it('a fresh instance with no local state restores the windows from the changelog and continues exactly', async () => {
    const input = uniqueName('restore-in');
    const output = uniqueName('restore-out');
    const applicationId = uniqueName('restore-app');
    await createTopics([
      { name: input, partitions: 3 },
      { name: output, partitions: 3 },
    ]);
    const topology = () => {
      const b = new StreamsBuilder();
      b.stream<string, { n: number }>(input)
        .groupByKey()
        .windowedBy(TimeWindows.ofSizeAndGrace(MIN, 5_000))
        .count({ name: 'per-minute' })
        .toStream()
        .map((w: Windowed<string>, n) => ({ key: `${w.key}@${(w.window.start - T0) / MIN}`, value: n }))
        .to(output, { keySerde: Serdes.string(), valueSerde: Serdes.json<number>() });
      return b.build();
    };
    // Minute m gets (m + 1) records per user; phase 1 stops in the middle of minute 2, holding its
    // latest records: phase 2 adds an earlier one, so each minute-2 result must carry the largest
    // timestamp restored from the changelog (windowed results are stamped with it, as Kafka Streams).
    const truth = new Map<string, number>();
    const latest = new Map<string, string>();
    const phase1: { key: string; value: string; timestamp: string }[] = [];
    const phase2: typeof phase1 = [];
    for (let m = 0; m < 5; m++) {
      for (let u = 0; u < USERS; u++) {
        for (let i = 0; i <= m; i++) {
          const ts = T0 + m * MIN + i * 1000 + u * 100;
          const rec = { key: `u${u}`, value: JSON.stringify({ n: i }), timestamp: String(ts) };
          (m < 2 || (m === 2 && i > 0) ? phase1 : phase2).push(rec);
          truth.set(`u${u}@${m}`, (truth.get(`u${u}@${m}`) ?? 0) + 1);
          latest.set(`u${u}@${m}`, String(ts));
        }
      }
    }
    // One record per user far ahead closes every earlier window (its own window stays open).
    for (let u = 0; u < USERS; u++)
      phase2.push({ key: `u${u}`, value: '{"n":0}', timestamp: String(T0 + 30 * MIN) });

    const stamps = new Map<string, string>();
    const got = await runAcrossColdRestore({
      topology,
      applicationId,
      input,
      output,
      phase1,
      phase2,
      store: 'per-minute',
      apps,
      stamps,
    });
    expect(Object.fromEntries(stamps)).toEqual(Object.fromEntries(latest));
    // Minute 2 spans both instances: its count is only right if the restore brought phase 1 back.
    expect(Object.fromEntries([...got].map(([k, v]) => [k, v]))).toEqual(
      Object.fromEntries([...truth].map(([k, n]) => [k, [n]])),
    );
  });

  it('a warm restart replays only the changelog tail after its checkpoint', async () => {
    const input = uniqueName('warm-in');
    const output = uniqueName('warm-out');
    const applicationId = uniqueName('warm-app');
    await createTopics([
      { name: input, partitions: 1 },
      { name: output, partitions: 1 },
    ]);
    const topology = () => {
      const b = new StreamsBuilder();
      b.stream<string, string>(input, { valueSerde: Serdes.string() })
        .groupByKey()
        .count({ name: 'counts', caching: false })
        .toStream()
        .to(output, { keySerde: Serdes.string(), valueSerde: Serdes.json<number>() });
      return b.build();
    };
    const stateDir = await tempDir('warm');
    const snapshot = join(await tempDir('warm-snapshot'), 'state');
    const common = {
      applicationId,
      bootstrapServers: bootstrapServers(),
      commitIntervalMs: 200,
      logger: testLogger(),
    };
    const batch = (from: number, n: number) =>
      Array.from({ length: n }, (_, i) => ({ key: `k${(from + i) % 40}`, value: 'x' }));

    await produceAll(input, batch(0, 400));
    await runToEnd(
      new Tributary(topology(), { ...common, stateBackend: levelDbBackend({ stateDir }) }),
      applicationId,
      input,
    );
    await cp(stateDir, snapshot, { recursive: true }); // local state + checkpoint after 400 records

    await produceAll(input, batch(400, 300));
    await runToEnd(
      new Tributary(topology(), { ...common, stateBackend: levelDbBackend({ stateDir }) }),
      applicationId,
      input,
    );

    // Back to the older local state: only what the changelog gained since its checkpoint is replayed.
    await rm(stateDir, { recursive: true, force: true });
    await cp(snapshot, stateDir, { recursive: true });
    await produceAll(input, batch(700, 100));
    const events = await runToEnd(
      new Tributary(topology(), { ...common, stateBackend: levelDbBackend({ stateDir }) }),
      applicationId,
      input,
    );
    const end = events.find((e) => e.phase === 'end' && e.store === 'counts');
    expect(end).toBeDefined();
    if (!end) return;
    expect(end.fromOffset).toBeGreaterThan(0n);
    expect(end.restored).toBe(Number(end.toOffset - end.fromOffset));
    expect(end.restored).toBeGreaterThan(0);
    expect(end.restored).toBeLessThan(Number(end.toOffset)); // a tail, not the whole log

    // And the counts are right after all three runs.
    const latest = new Map<string, number>();
    for (const r of await consumeAll(output, { idleMs: 1500 }))
      latest.set(r.key?.toString() ?? '', JSON.parse(r.value?.toString() ?? '0'));
    expect(latest.size).toBe(40);
    expect([...latest.values()].every((n) => n === 20)).toBe(true); // 800 records over 40 keys
  });
});
