import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DLQ_HEADERS, silentLogger, Tributary } from '@tributary/core';
import { levelDbBackend } from '@tributary/state';
import {
  bootstrapServers,
  type ConsumedRecord,
  consumeAll,
  createTopics,
  produceAll,
  uniqueName,
} from '@tributary/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { generateVoters, MALFORMED_VOTERS, type VoterRecord } from './producer.js';
import { buildTopology } from './topology.js';
import type { VoterStat } from './voter.js';

const here = dirname(fileURLToPath(import.meta.url));
const tsx = join(here, '../../../node_modules/.bin/tsx');
const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

async function tempDir(prefix: string): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), `${prefix}-`));
  dirs.push(d);
  return d;
}

async function eventually(check: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 500));
  }
  return true;
}

/** Ground truth straight from the generated input, without the topology. */
function countByGenderParty(voters: readonly VoterRecord[]): Record<string, number> {
  const truth: Record<string, number> = {};
  for (const { value: v } of voters)
    truth[`${v.gender}|${v.party}`] = (truth[`${v.gender}|${v.party}`] ?? 0) + 1;
  return truth;
}

/** The table view of voter-stats: latest count per key (checking each value against its key). */
async function latestCounts(topic: string): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const r of await consumeAll(topic, { idleMs: 1000, timeoutMs: 15_000 })) {
    const key = r.key?.toString() ?? '';
    const stat = JSON.parse(r.value?.toString() ?? 'null') as VoterStat;
    expect(`${stat.gender}|${stat.party}`).toBe(key);
    out[key] = stat.count;
  }
  return out;
}

describe('voters app on the real broker', () => {
  it('counts 5,000 voters by gender and party and dead-letters exactly the malformed ones', async () => {
    const [input, output, dlq] = [uniqueName('voters'), uniqueName('voter-stats'), uniqueName('voters-dlq')];
    await createTopics([
      { name: input, partitions: 3 },
      { name: output, partitions: 3 },
    ]);
    const voters = generateVoters(7, 5000);
    const truth = countByGenderParty(voters);
    const bad = [...MALFORMED_VOTERS.map((v) => Buffer.from(v)), null].map((value, i) => ({
      key: `bad-${i}`,
      value,
    }));
    const messages: { key: string; value: Buffer | string | null }[] = voters.map((v) => ({
      key: v.key,
      value: JSON.stringify(v.value),
    }));
    // Spread the malformed records through the input so they hit every partition mid-stream.
    for (const [i, b] of bad.entries()) messages.splice(1 + i * 500, 0, b);
    await produceAll(input, messages);

    const app = new Tributary(buildTopology({ inputTopic: input, outputTopic: output, console: false }), {
      applicationId: uniqueName('voters-app'),
      bootstrapServers: bootstrapServers(),
      stateBackend: levelDbBackend({ stateDir: await tempDir('voters-state') }),
      commitIntervalMs: 200,
      errorPolicy: { mode: 'dead-letter', topic: dlq },
      logger: silentLogger,
    });
    try {
      await app.start();
      let latest: Record<string, number> = {};
      await eventually(async () => {
        latest = await latestCounts(output);
        return JSON.stringify(Object.entries(latest).sort()) === JSON.stringify(Object.entries(truth).sort());
      }, 45_000);
      expect(latest).toEqual(truth);
      expect(Object.values(latest).reduce((a, b) => a + b, 0)).toBe(5000);

      const dead = await consumeAll(dlq, { count: bad.length, idleMs: 2000, timeoutMs: 20_000 });
      const byKey = new Map(dead.map((r): [string, ConsumedRecord] => [r.key?.toString() ?? '', r]));
      expect(dead).toHaveLength(bad.length);
      for (const b of bad) {
        const r = byKey.get(b.key);
        expect(r, b.key).toBeDefined();
        expect(r?.value === null ? null : Buffer.from(r!.value)).toEqual(b.value);
        expect(r?.headers[DLQ_HEADERS.topic]?.toString()).toBe(input);
        const unparsable = b.value !== null && !isJson(b.value.toString());
        expect(r?.headers[DLQ_HEADERS.stage]?.toString()).toBe(unparsable ? 'deserialization' : 'processing');
        expect(r?.headers[DLQ_HEADERS.error]?.toString()).not.toBe('');
      }
      expect(app.metrics().deadLettered).toBe(bad.length);
    } finally {
      await app.close();
    }
    expect(app.state).toBe('not-running');
  });

  it('the CLI produces, counts, prints the table and exits 0 on SIGTERM', async () => {
    const [topic, output] = [uniqueName('voters-cli'), uniqueName('voter-stats-cli')];
    const env = {
      ...process.env,
      KAFKA_BOOTSTRAP_SERVERS: bootstrapServers(),
      STATE_DIR: await tempDir('cli'),
    };
    const main = join(here, 'main.ts');
    const streams = spawn(
      tsx,
      [
        main,
        'streams',
        '--input-topic',
        topic,
        '--output-topic',
        output,
        '--application-id',
        uniqueName('voters-cli'),
      ],
      { env, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    streams.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    try {
      // streams creates the topics; produce once they exist (it fails on a missing topic).
      const produced = await eventually(
        async () =>
          (await run(
            spawn(tsx, [main, 'produce', '--input-topic', topic, '--count', '600', '--seed', '3'], { env }),
          )) === 0,
        30_000,
      );
      expect(produced).toBe(true);
      const truth = countByGenderParty(generateVoters(3, 600));
      let latest: Record<string, number> = {};
      await eventually(async () => {
        latest = await latestCounts(output);
        return Object.values(latest).reduce((a, b) => a + b, 0) === 600;
      }, 30_000);
      expect(latest).toEqual(truth);
      await eventually(async () => stdout.includes('gender | party'), 10_000);
      expect(stdout).toContain('voters by gender and party');
      streams.kill('SIGTERM');
      expect(await run(streams)).toBe(0);
    } finally {
      streams.kill('SIGKILL');
    }
  });
});

function isJson(s: string): boolean {
  try {
    JSON.parse(s);
    return true;
  } catch {
    return false;
  }
}

function run(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}
