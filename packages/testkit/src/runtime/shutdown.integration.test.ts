import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { committedCount, consumeAll, createTopics, produceAll, uniqueName } from '../index.js';
import { eventually } from './helpers.js';
import { spawnFixture } from './instance-helpers.js';

const fixture = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'passthrough-app.ts');

const startApp = (env: Record<string, string>) => spawnFixture(fixture, env);

describe('graceful shutdown and restart on the real broker', () => {
  it('SIGTERM mid-stream commits and exits 0; a restart resumes from the committed offsets with no loss', async () => {
    const input = uniqueName('sig-in');
    const output = uniqueName('sig-out');
    const appId = uniqueName('sig-app');
    await createTopics([
      { name: input, partitions: 3 },
      { name: output, partitions: 3 },
    ]);
    const total = 6000;
    await produceAll(
      input,
      Array.from({ length: total }, (_, i) => ({ key: `k${i % 50}`, value: `r${i}` })),
    );
    const env = { INPUT: input, OUTPUT: output, APP_ID: appId, SLOW_US: '4000' };

    const first = startApp(env);
    // Wait until it is mid-stream: some output, far from all of it (4 ms per record, 24 s in all).
    const started = await eventually(
      async () => (await consumeAll(output, { idleMs: 300, timeoutMs: 3000 })).length > 300,
      60_000,
      500,
    );
    expect(started, first.output()).toBe(true);
    first.child.kill('SIGTERM');
    expect(await first.exited, first.output()).toBe(0);
    expect(first.output()).toContain('state pending-shutdown');
    expect(first.output()).toContain('state not-running');

    const afterFirst = await consumeAll(output, { idleMs: 1500, timeoutMs: 20_000 });
    const committedAfterFirst = await committedCount(appId, input);
    expect(committedAfterFirst).toBeGreaterThan(0);
    expect(committedAfterFirst).toBeLessThan(total); // it really stopped mid-stream
    // The shutdown commit covers exactly what was produced: nothing processed is left uncommitted.
    expect(afterFirst.length).toBe(committedAfterFirst);

    const second = startApp({ ...env, SLOW_US: '0' });
    // The commit interval is a minute: the output shows progress, the shutdown commit makes it durable.
    const done = await eventually(
      async () => (await consumeAll(output, { idleMs: 1000, timeoutMs: 10_000 })).length >= total,
      60_000,
      500,
    );
    expect(done, second.output()).toBe(true);
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
    expect(await committedCount(appId, input)).toBe(total);

    const all = await consumeAll(output, { count: total, idleMs: 1500 });
    const values = all.map((r) => r.value?.toString());
    expect(new Set(values).size).toBe(total); // every record, and with two clean shutdowns, once
    expect(values.length).toBe(total);
    for (let i = 0; i < total; i += 997) expect(values).toContain(`r${i}!`);
  });
});
