import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isTributaryError, Serdes, StreamsBuilder, Tributary } from '@tributary/core';
import { describe, expect, it } from 'vitest';
import {
  bootstrapServers,
  consumeAll,
  createTopics,
  testKafka,
  testProducer,
  uniqueName,
  waitForCommittedToEnd,
} from '../index.js';
import { closedAfterEach, eventually, tempDir, testLogger } from './helpers.js';
import { spawnFixture } from './instance-helpers.js';

const fixture = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'static-member-app.ts');
const PARTITIONS = 6;
const KEYS = 60;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Assignment {
  readonly at: number;
  readonly tasks: string[];
}

/** Every "tasks assigned" log line of a process (JSON lines on its stderr), with the time logged. */
function assignments(output: string): Assignment[] {
  const out: Assignment[] = [];
  for (const line of output.split('\n')) {
    if (!line.startsWith('{') || !line.includes('"tasks assigned"')) continue;
    const entry = JSON.parse(line) as { time: string; tasks: string[] };
    out.push({ at: Date.parse(entry.time), tasks: [...entry.tasks].sort() });
  }
  return out;
}

const partitionOf = (task: string) => Number(task.split('_')[1]);

describe('static membership on the @platformatic/kafka adapter (exactly-once)', () => {
  it('one of three instances is SIGKILLed and restarted: the survivors never pause, it gets its partitions back', async () => {
    const input = uniqueName('static-in');
    const output = uniqueName('static-out');
    const appId = uniqueName('static-app');
    await createTopics([
      { name: input, partitions: PARTITIONS },
      // The broker's append time tells when each output record was written: processing time.
      { name: output, partitions: PARTITIONS, configs: { 'message.timestamp.type': 'LogAppendTime' } },
    ]);
    const dirs = [await tempDir('static-a'), await tempDir('static-b'), await tempDir('static-c')];
    const env = (i: number) => ({
      INPUT: input,
      OUTPUT: output,
      APP_ID: appId,
      STATE_DIR: dirs[i] as string,
      SESSION_TIMEOUT_MS: '15000',
    });
    const procs = [0, 1, 2].map((i) => spawnFixture(fixture, env(i)));
    let restarted: ReturnType<typeof spawnFixture> | undefined;
    const producer = testProducer(testKafka());
    await producer.connect();
    try {
      // A stable group: each instance holds two partitions, all six covered.
      const settled = () => {
        const last = procs.map((p) => assignments(p.output()).at(-1)?.tasks ?? []);
        return last.every((t) => t.length === 2) && new Set(last.flat()).size === PARTITIONS;
      };
      expect(await eventually(settled, 90_000, 250)).toBe(true);

      // A live stream: 30 records every 100 ms over KEYS keys, while C dies and comes back.
      const sent = new Map<string, number>();
      let seq = 0;
      let producing = true;
      const production = (async () => {
        while (producing) {
          const messages = Array.from({ length: 30 }, () => {
            const key = `k${seq++ % KEYS}`;
            sent.set(key, (sent.get(key) ?? 0) + 1);
            return { key, value: String(seq) };
          });
          await producer.send({ topic: input, acks: -1, messages });
          await sleep(100);
        }
      })();
      await sleep(3000);
      const [a, b, c] = procs as [(typeof procs)[0], (typeof procs)[0], (typeof procs)[0]];
      const cTasks = assignments(c.output()).at(-1)?.tasks ?? [];
      const survivorsBefore = [a, b].map((p) => assignments(p.output()).length);
      const killedAt = Date.now();
      c.child.kill('SIGKILL');
      await c.exited;
      await sleep(1000);
      restarted = spawnFixture(fixture, env(2));
      const back = restarted;
      expect(await eventually(() => assignments(back.output()).length > 0, 30_000, 100)).toBe(true);
      await sleep(4000);
      producing = false;
      await production;
      const productionEnded = Date.now();
      expect(await waitForCommittedToEnd(appId, input, 60_000)).toBe(true);

      // Static membership: the restarted instance took its old place, with the same partitions, and
      // the survivors saw no rebalance at all (no new assignment).
      expect(assignments(back.output()).at(-1)?.tasks).toEqual(cTasks);
      expect([a, b].map((p) => assignments(p.output()).length)).toEqual(survivorsBefore);

      const records = await consumeAll(output, { idleMs: 2000, readCommitted: true });
      // The survivors' partitions got output all along: no gap over 2 s while C was down and back.
      const survivorPartitions = new Set(
        [a, b].flatMap((p) => (assignments(p.output()).at(-1)?.tasks ?? []).map(partitionOf)),
      );
      const times = records
        .filter((r) => survivorPartitions.has(r.partition))
        .map((r) => Number(r.timestamp))
        .filter((t) => t >= killedAt - 500 && t <= productionEnded)
        .sort((x, y) => x - y);
      let maxGap = 0;
      for (let i = 1; i < times.length; i++)
        maxGap = Math.max(maxGap, (times[i] as number) - (times[i - 1] as number));
      expect(times.length).toBeGreaterThan(100);
      expect(maxGap).toBeLessThan(2000);

      // Exactly-once: per key the committed counts rise one by one to the number of records sent.
      const seen = new Map<string, number[]>();
      for (const r of records) {
        const k = r.key?.toString() ?? '';
        seen.set(k, [...(seen.get(k) ?? []), JSON.parse(r.value?.toString() ?? 'null') as number]);
      }
      expect(seen.size).toBe(KEYS);
      for (const [key, n] of sent) expect(seen.get(key)).toEqual(Array.from({ length: n }, (_, i) => i + 1));
    } finally {
      await producer.disconnect().catch(() => {});
      for (const p of [...procs, ...(restarted ? [restarted] : [])]) {
        if (p.child.exitCode === null) p.child.kill('SIGTERM');
        await Promise.race([p.exited, sleep(15_000)]);
        if (p.child.exitCode === null) p.child.kill('SIGKILL');
      }
    }
  }, 150_000);
});

describe('two instances with one group.instance.id (platformatic adapter)', () => {
  const apps = closedAfterEach();

  it('the broker fences the older one, which stops with an error; the newer one runs on', async () => {
    const input = uniqueName('static-dup-in');
    const applicationId = uniqueName('static-dup-app');
    await createTopics([{ name: input, partitions: 2 }]);
    const instance = () => {
      const b = new StreamsBuilder();
      b.stream<string, string>(input, { valueSerde: Serdes.string() }).foreach(() => {});
      const app = new Tributary(b.build(), {
        applicationId,
        bootstrapServers: bootstrapServers(),
        kafkaClient: 'platformatic',
        instanceId: `${applicationId}-same`,
        logger: testLogger(),
      });
      apps.push(app);
      return app;
    };
    const older = instance();
    await older.start();
    const newer = instance();
    await newer.start();
    const stopped = await Promise.race([
      older.done.then(
        () => 'closed',
        (err: unknown) => err,
      ),
      sleep(30_000).then(() => 'still running'),
    ]);
    expect(isTributaryError(stopped, 'CONFIG_INVALID')).toBe(true);
    expect(String((stopped as Error).message)).toContain('FENCED_INSTANCE_ID');
    expect(newer.state).toBe('running');
  }, 60_000);
});
