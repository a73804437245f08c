import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runMain, secureCliFlags, startMain } from '@tributary/app-kit/testing';
import { consumeAll, createTopics, eventually, secureFixture, uniqueName } from '@tributary/testkit';
import { describe, expect, it } from 'vitest';
import { generateVoters } from './producer.js';
import type { VoterStat } from './voter.js';

// Issue 21: the voters app through its own command line (produce, then streams) against the local
// SASL_SSL broker, SCRAM-SHA-512 over TLS, every client of both commands on the security flags.

const main = join(dirname(fileURLToPath(import.meta.url)), 'main.ts');
const COUNT = 3000;
const SEED = 17;

describe('voters over TLS + SASL/SCRAM-SHA-512, from its flags', () => {
  const fixture = secureFixture('voters-secure');

  it('produce and streams: the counts equal the generated voters, the DLQ holds exactly the malformed ones', async () => {
    const [broker, dir] = [fixture.broker(), fixture.dir()];
    const flags = await secureCliFlags(broker, join(dir, 'password'));
    const [input, output, dlq] = [uniqueName('voters'), uniqueName('voter-stats'), uniqueName('voters-dlq')];
    const applicationId = uniqueName('voters-secure');
    const kafka = broker.kafka();
    // produce sends to existing topics only.
    await createTopics(
      [
        { name: input, partitions: 3 },
        { name: output, partitions: 3 },
      ],
      kafka,
    );
    const produced = await runMain(
      main,
      [
        ...['produce', ...flags, '--input-topic', input],
        ...['--count', String(COUNT), '--seed', String(SEED), '--invalid-ratio', '0.03'],
      ],
      60_000,
    );
    expect(produced.code, produced.stderr).toBe(0);

    // Ground truth from the generator and the bytes on the topic: a record whose value is not its
    // generated voter's JSON was replaced by a malformed one and must reach the DLQ, nothing else.
    const generated = new Map(generateVoters(SEED, COUNT).map((v) => [v.key, v.value]));
    const sent = await consumeAll(input, { count: COUNT, idleMs: 1000, timeoutMs: 30_000, kafka });
    expect(sent).toHaveLength(COUNT);
    const truth: Record<string, number> = {};
    const malformed: string[] = [];
    for (const r of sent) {
      const voter = generated.get(r.key?.toString() ?? '');
      expect(voter).toBeDefined();
      if (r.value?.toString() === JSON.stringify(voter)) {
        const k = `${voter?.gender}|${voter?.party}`;
        truth[k] = (truth[k] ?? 0) + 1;
      } else malformed.push(r.value?.toString() ?? '');
    }
    expect(malformed.length).toBeGreaterThan(0);

    const streams = startMain(main, [
      'streams',
      ...flags,
      ...['--input-topic', input, '--output-topic', output, '--dlq-topic', dlq],
      ...['--application-id', applicationId, '--state-dir', join(dir, 'state'), '--no-table'],
      ...['--commit-interval-ms', '200'],
    ]);
    try {
      const latest: Record<string, number> = {};
      const total = () => Object.values(latest).reduce((a, b) => a + b, 0);
      await eventually(async () => {
        for (const r of await consumeAll(output, { idleMs: 1000, timeoutMs: 15_000, kafka })) {
          const stat = JSON.parse(r.value?.toString() ?? 'null') as VoterStat;
          expect(`${stat.gender}|${stat.party}`).toBe(r.key?.toString());
          latest[`${stat.gender}|${stat.party}`] = stat.count;
        }
        return total() >= COUNT - malformed.length;
      }, 60_000);
      expect(latest).toEqual(truth);
      const dead = await consumeAll(dlq, { count: malformed.length, idleMs: 2000, timeoutMs: 20_000, kafka });
      expect(dead.map((r) => r.value?.toString()).sort()).toEqual(malformed.sort());
    } finally {
      const r = await streams.stop();
      expect(r.code, r.stderr.slice(-2000)).toBe(0);
      expect(`${r.stdout}${r.stderr}`).not.toContain(broker.scram.password);
    }
  });
});
