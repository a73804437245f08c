import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createTopics, produceAll, testKafka, uniqueName, withAdmin } from '../index.js';
import { spawnFixture } from './instance-helpers.js';

const fixture = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'fatal-app.ts');

/** Members of the group as the coordinator sees them: none once the app left it. */
async function groupMembers(groupId: string): Promise<number> {
  return withAdmin(async (admin) => {
    const { groups } = await admin.describeGroups([groupId]);
    return groups[0]?.members.length ?? 0;
  }, testKafka());
}

/** How long after the error the process exited, from the fixture's last line (printed with REPORT_TIMES=1). */
function msAfterError(output: string, run: string): number {
  const m = /exit 1 (\d+) ms after the error/.exec(output);
  const ms = m ? Number(m[1]) : Number.NaN;
  if (process.env.REPORT_TIMES) console.log(`fatal exit (${run}): exit 1 ${ms} ms after the error`);
  return ms;
}

/** Exit code and time taken, or null if still running after `ms` (then it is killed). */
async function exitWithin(
  proc: ReturnType<typeof spawnFixture>,
  ms: number,
): Promise<{ code: number | null; ms: number } | null> {
  const t0 = Date.now();
  const timer = setTimeout(() => proc.child.kill('SIGKILL'), ms);
  const code = await proc.exited;
  clearTimeout(timer);
  const took = Date.now() - t0;
  return took >= ms ? null : { code, ms: took };
}

async function runToFatal(limits: 'on' | 'off') {
  const input = uniqueName('fatal-in');
  const output = uniqueName('fatal-out');
  const appId = uniqueName('fatal-app');
  await createTopics([
    { name: input, partitions: 2 },
    { name: output, partitions: 1 },
  ]);
  const now = Date.now();
  // Valid records, then the view: epoch ms one past the largest Date.
  await produceAll(input, [
    ...Array.from({ length: 20 }, (_, i) => ({ key: `k${i}`, value: JSON.stringify({ ts: now - i }) })),
    { key: 'bad', value: JSON.stringify({ ts: 8_640_000_000_000_001 }) },
  ]);
  const proc = spawnFixture(fixture, { INPUT: input, OUTPUT: output, APP_ID: appId, LIMITS: limits });
  // Start (tsx, topic creation, the group's 3 s initial rebalance delay) and the fatal path: about
  // 5 s on an idle machine. The bound is loose for a loaded CI machine; the tight check is the time
  // from the error to the exit.
  const exit = await exitWithin(proc, 20_000);
  return { proc, exit, appId };
}

describe('a fatal error ends the process', () => {
  it('fail policy, timestamp rejected at extraction: exits 1 within seconds and leaves the group', async () => {
    const { proc, exit, appId } = await runToFatal('on');
    expect(exit, proc.output()).not.toBeNull();
    expect(exit?.code, proc.output()).toBe(1);
    expect(proc.output()).toContain('stopping after an error');
    expect(proc.output()).toContain('DESERIALIZATION_FAILED');
    expect(proc.output()).toMatch(/ahead of the wall clock/);
    // The teardown finished by itself (no deadlock, no timeout): the group is left, clients closed.
    expect(proc.output()).not.toContain('teardown after an error timed out');
    expect(msAfterError(proc.output(), 'rejected at extraction')).toBeLessThan(5000);
    expect(await groupMembers(appId)).toBe(0);
  });

  it('record limits off: the broker rejects the repartition send; the app still exits 1 within seconds', async () => {
    const { proc, exit, appId } = await runToFatal('off');
    expect(exit, proc.output()).not.toBeNull();
    expect(exit?.code, proc.output()).toBe(1);
    expect(proc.output()).toContain('stopping after an error');
    expect(proc.output()).toMatch(/timestamp of the message is out of acceptable range/i);
    expect(proc.output()).not.toContain('teardown after an error timed out');
    expect(msAfterError(proc.output(), 'rejected by the broker')).toBeLessThan(5000);
    expect(await groupMembers(appId)).toBe(0);
  });
});
