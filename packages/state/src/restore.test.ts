import { readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  changelogTopicName,
  type KeyValueStore,
  type RestoreProgress,
  Serdes,
  type WindowStore,
} from '@tributary/core';
import { CHECKPOINT_FILE } from '@tributary/core/state';
import { InMemoryChangelog } from '@tributary/core/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  APP,
  type BackendFixture,
  collect,
  commit,
  inMemoryFactory,
  kvDefinition,
  levelDbFactory,
  openTask,
  PARTITION,
  TASK,
  windowDefinition,
} from './contract/harness.js';

type Store = KeyValueStore<string, unknown>;
const TOPIC = changelogTopicName(APP, 'kv');
const stores = [kvDefinition('kv', true)];

describe('restore and checkpoints (LevelDB)', () => {
  let fixture: BackendFixture;
  let changelog: InMemoryChangelog;
  let taskDir: string;
  const checkpointFile = () => join(taskDir, CHECKPOINT_FILE);
  const writeCheckpointFile = (offsets: Record<string, string>) =>
    writeFile(checkpointFile(), JSON.stringify({ version: 1, applicationId: APP, taskId: TASK, offsets }));

  beforeEach(async () => {
    fixture = await levelDbFactory.make();
    changelog = new InMemoryChangelog({ batchSize: 7 });
    taskDir = join(fixture.stateDir!, APP, TASK);
  });
  afterEach(() => fixture.cleanup());

  /**
   * Commits 30 records with transaction markers (offset gaps) and leaves a "ghost" key that is only
   * in the local store: it survives a trusted warm restart, and disappears whenever the store is wiped.
   */
  async function seed(): Promise<Map<string, bigint>> {
    const task = await openTask(fixture, changelog, stores);
    const kv = task.store<Store>('kv');
    for (let i = 0; i < 30; i++) {
      kv.put(`k${i % 20}`, i);
      if (i % 10 === 9) await commit(task, changelog, true);
    }
    kv.put('ghost', 'local only');
    await task.flush(); // written locally, never produced
    const offsets = new Map([[TOPIC, await changelog.endOffset(TOPIC, PARTITION)]]);
    await task.checkpoint(offsets);
    await task.close({ clean: true });
    return offsets;
  }

  async function reopen(events: RestoreProgress[], exactlyOnce = false) {
    const task = await openTask(fixture, changelog, stores, { events, exactlyOnce });
    return { task, kv: task.store<Store>('kv') };
  }

  /** What the store must hold after a full restore: the compacted changelog. */
  function expectChangelogContent(kv: Store) {
    for (let k = 0; k < 20; k++) expect(kv.get(`k${k}`)).toBe(k < 10 ? k + 20 : k);
    expect(kv.get('ghost')).toBeUndefined();
  }

  it('restores an empty changelog to an empty store', async () => {
    const events: RestoreProgress[] = [];
    const { task, kv } = await reopen(events);
    expect(events.map((e) => [e.phase, e.fromOffset, e.toOffset, e.restored])).toEqual([
      ['start', 0n, 0n, 0],
      ['end', 0n, 0n, 0],
    ]);
    expect(await collect(kv.all())).toEqual([]);
    await task.close({ clean: true });
  });

  it('restores everything into a new state dir, skipping transaction-marker gaps', async () => {
    await seed();
    const other = await levelDbFactory.make();
    const events: RestoreProgress[] = [];
    const task = await openTask(other, changelog, stores, { events });
    const end = events.at(-1)!;
    expect([end.phase, end.fromOffset, end.toOffset, end.restored]).toEqual(['end', 0n, 33n, 30]);
    expect(events.filter((e) => e.phase === 'progress').length).toBe(0); // 30 < 10,000 and fast
    expectChangelogContent(task.store<Store>('kv'));
    expect(task.store<Store>('kv').approximateNumEntries()).toBe(20);
    await task.close({ clean: true });
    await other.cleanup();
  });

  it('warm restart with a checkpoint replays only the tail', async () => {
    const offsets = await seed();
    const tail = [
      { topic: TOPIC, partition: PARTITION, key: Buffer.from('k1'), value: null, timestamp: 1 },
      {
        topic: TOPIC,
        partition: PARTITION,
        key: Buffer.from('k2'),
        value: Buffer.from([0x2a]),
        timestamp: 1,
      },
    ];
    changelog.append(tail, { transactional: true });
    const events: RestoreProgress[] = [];
    const { task, kv } = await reopen(events);
    const end = events.at(-1)!;
    expect([end.fromOffset, end.toOffset, end.restored]).toEqual([offsets.get(TOPIC), 36n, 2]);
    expect(kv.get('k1')).toBeUndefined();
    expect(kv.get('k2')).toBe(42);
    expect(kv.get('k3')).toBe(23);
    expect(kv.get('ghost')).toBe('local only'); // trusted local state kept
    await task.close({ clean: true });
  });

  const untrusted: Array<[string, () => Promise<void>]> = [
    ['an unparsable checkpoint', () => writeFile(checkpointFile(), '{"version":1,"applicationId"')],
    [
      'a foreign checkpoint (other application id)',
      async () => {
        const body = JSON.parse(await readFile(checkpointFile(), 'utf8'));
        await writeFile(checkpointFile(), JSON.stringify({ ...body, applicationId: 'someone-else' }));
      },
    ],
    ['a checkpoint beyond the end offset', () => writeCheckpointFile({ [TOPIC]: '999' })],
    [
      'a checkpoint below the beginning offset',
      async () => {
        await writeCheckpointFile({ [TOPIC]: '11' });
        changelog.truncateBefore(TOPIC, PARTITION, 22n);
      },
    ],
    ['a checkpoint without this store', () => writeCheckpointFile({})],
    ['no checkpoint at all', () => rm(checkpointFile())],
    [
      'a corrupt LevelDB directory',
      async () => {
        const dir = join(taskDir, 'kv');
        for (const f of await readdir(dir)) if (f !== 'LOCK') await writeFile(join(dir, f), 'garbage');
      },
    ],
  ];

  for (const [what, damage] of untrusted) {
    it(`wipes the local store and restores from the beginning after ${what}`, async () => {
      await seed();
      await damage();
      const events: RestoreProgress[] = [];
      const { task, kv } = await reopen(events);
      const begin = await changelog.beginningOffset(TOPIC, PARTITION);
      const end = events.at(-1)!;
      expect([end.fromOffset, end.toOffset, end.restored]).toEqual([begin, 33n, begin === 0n ? 30 : 10]);
      const expected = [...changelog.compacted(TOPIC, PARTITION)]
        .sort(([a], [b]) => Buffer.compare(Buffer.from(a, 'latin1'), Buffer.from(b, 'latin1')))
        .map(([key, value]) => ({ key, value: Serdes.msgpack().deserialize(value) }));
      expect(expected.length).toBe(begin === 0n ? 20 : 10);
      expect(await collect(kv.all())).toEqual(expected); // and no ghost
      await task.close({ clean: true });
    });
  }

  it('exactly-once removes the checkpoint on open, writes it only at a clean close, never after an unclean one', async () => {
    await seed();
    let { task, kv } = await reopen([], true);
    await expect(stat(checkpointFile())).rejects.toThrow(/ENOENT/);
    kv.put('k1', 'new');
    await commit(task, changelog, true);
    await expect(stat(checkpointFile())).rejects.toThrow(/ENOENT/); // none while the task runs
    await task.close({ clean: true });
    expect(JSON.parse(await readFile(checkpointFile(), 'utf8')).offsets[TOPIC]).toBe('35');
    ({ task, kv } = await reopen([], true));
    kv.put('k1', 'newer');
    await commit(task, changelog, true);
    await task.close({ clean: false });
    await expect(stat(checkpointFile())).rejects.toThrow(/ENOENT/);
  });

  it('exactly-once: a process killed after a flush finds no checkpoint, so the aborted writes are wiped', async () => {
    await seed();
    const { task, kv } = await reopen([], true);
    kv.put('k1', 'committed');
    await commit(task, changelog, true);
    kv.put('k2', 'flushed, its transaction aborted');
    await task.flush();
    // SIGKILL here: no close. There is no checkpoint to trust the local store by.
    await expect(stat(checkpointFile())).rejects.toThrow(/ENOENT/);
    await task.close({ clean: false }).catch(() => {});
    const again = await reopen([], true);
    expect(await again.kv.get('k1')).toBe('committed');
    expect(await again.kv.get('k2')).not.toBe('flushed, its transaction aborted');
    await again.task.close({ clean: true });
  });

  it('at-least-once keeps the checkpoint on unclean close unless a flush followed it', async () => {
    await seed();
    let { task, kv } = await reopen([]);
    await commit(task, changelog);
    await task.close({ clean: false });
    expect((await stat(checkpointFile())).isFile()).toBe(true);
    ({ task, kv } = await reopen([]));
    kv.put('k1', 'flushed, not committed');
    await task.flush();
    await task.close({ clean: false });
    await expect(stat(checkpointFile())).rejects.toThrow(/ENOENT/);
  });

  it('writes a versioned checkpoint for this task and refuses offsets going back', async () => {
    await seed();
    const { task } = await reopen([]);
    await task.checkpoint(
      new Map([
        [TOPIC, 40n],
        ['unrelated-topic', 5n],
      ]),
    );
    expect(JSON.parse(await readFile(checkpointFile(), 'utf8'))).toEqual({
      version: 1,
      applicationId: APP,
      taskId: TASK,
      offsets: { [TOPIC]: '40' },
    });
    await expect(task.checkpoint(new Map([[TOPIC, 39n]]))).rejects.toMatchObject({ code: 'ILLEGAL_STATE' });
    await task.close({ clean: true });
  });

  it('aborts a restore through the signal and recovers fully on the next open', async () => {
    await seed();
    await writeFile(checkpointFile(), 'x'); // force a full restore
    const controller = new AbortController();
    const opening = openTask(fixture, changelog, stores, {
      signal: controller.signal,
      onRestoreProgress: (e) => {
        if (e.phase === 'start') controller.abort(new Error('shutdown'));
      },
    });
    await expect(opening).rejects.toMatchObject({ code: 'RESTORE_FAILED' });
    const { task, kv } = await reopen([]);
    expectChangelogContent(kv);
    await task.close({ clean: true });
  });

  it('emits progress events every N records', async () => {
    const backend = await levelDbFactory.make({ restoreProgressEveryRecords: 10 });
    await seed();
    const events: RestoreProgress[] = [];
    const task = await openTask(backend, changelog, stores, { events });
    // batches of 7: progress after 14 (>= 10), then 28 (>= 24); end at 30
    expect(events.map((e) => `${e.phase}:${e.restored}`)).toEqual([
      'start:0',
      'progress:14',
      'progress:28',
      'end:30',
    ]);
    await task.close({ clean: true });
    await backend.cleanup();
  });

  it('keeps an unlogged store only while the checkpoint is valid', async () => {
    const defs = [kvDefinition('local', true, false)];
    let task = await openTask(fixture, changelog, defs);
    task.store<Store>('local').put('a', 1);
    await commit(task, changelog);
    await task.close({ clean: true });
    task = await openTask(fixture, changelog, defs);
    expect(task.store<Store>('local').get('a')).toBe(1);
    await task.close({ clean: false }); // no flush since the checkpoint: kept
    await writeFile(checkpointFile(), 'garbage');
    task = await openTask(fixture, changelog, defs);
    expect(task.store<Store>('local').get('a')).toBeUndefined();
    await task.close({ clean: true });
  });

  it('restores window stores and rebuilds their expiry index', async () => {
    const defs = [windowDefinition('win', true, 100)];
    let task = await openTask(fixture, changelog, defs);
    for (const ws of [0, 50, 100]) task.store<WindowStore<string, unknown>>('win').put('k', ws, ws);
    await commit(task, changelog);
    await task.close({ clean: true });
    await writeFile(checkpointFile(), 'garbage');
    task = await openTask(fixture, changelog, defs);
    const win = task.store<WindowStore<string, unknown>>('win');
    expect((await collect(win.all())).map((e) => e.windowStart)).toEqual([0, 50, 100]);
    await task.expire(150);
    expect((await collect(win.all())).map((e) => e.windowStart)).toEqual([100]);
    await task.close({ clean: true });
  });
});

describe('restore (in-memory backend)', () => {
  it('restores the whole changelog on every open', async () => {
    const fixture = await inMemoryFactory.make();
    const changelog = new InMemoryChangelog();
    let task = await openTask(fixture, changelog, stores);
    task.store<Store>('kv').put('a', 1);
    task.store<Store>('kv').put('b', 2);
    await commit(task, changelog);
    task.store<Store>('kv').delete('a');
    await commit(task, changelog);
    await task.close({ clean: true });
    const events: RestoreProgress[] = [];
    task = await openTask(fixture, changelog, stores, { events });
    expect([events.at(-1)?.fromOffset, events.at(-1)?.restored]).toEqual([0n, 3]);
    expect(await collect(task.store<Store>('kv').all())).toEqual([{ key: 'b', value: 2 }]);
    await task.close({ clean: true });
  });
});
