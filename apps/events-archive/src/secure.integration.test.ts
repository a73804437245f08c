import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runMain, secureCliFlags, startMain } from '@tributary/app-kit/testing';
import {
  consumeAll,
  createTopics,
  secureFixture,
  uniqueName,
  waitForCommittedToEnd,
} from '@tributary/testkit';
import { describe, expect, it } from 'vitest';
import { type GeneratedEvent, generateEvents } from './producer.js';
import { expectedRows, readCsvRows } from './test-output.js';

// Issue 21: events-archive through its own command line (produce, then streams) against the local
// SASL_SSL broker, SCRAM-SHA-512 over TLS.

const main = join(dirname(fileURLToPath(import.meta.url)), 'main.ts');
const COUNT = 3000;
const SEED = 23;
const START = '2025-11-05';

describe('events-archive over TLS + SASL/SCRAM-SHA-512, from its flags', () => {
  const fixture = secureFixture('archive-secure');

  it('produce and streams: the CSV rows equal the generated events, the DLQ holds exactly the malformed ones', async () => {
    const [broker, dir] = [fixture.broker(), fixture.dir()];
    const flags = await secureCliFlags(broker, join(dir, 'password'));
    const [input, dlq] = [uniqueName('events'), uniqueName('events-dlq')];
    const applicationId = uniqueName('archive-secure');
    const out = join(dir, 'out');
    const kafka = broker.kafka();
    await createTopics([{ name: input, partitions: 3 }], kafka);
    const produced = await runMain(
      main,
      [
        ...['produce', ...flags, '--input-topic', input, '--count', String(COUNT)],
        ...['--seed', String(SEED), '--start-date', START, '--days', '2', '--invalid-ratio', '0.02'],
      ],
      60_000,
    );
    expect(produced.code, produced.stderr).toBe(0);

    // Ground truth from the generator and the bytes on the topic: a record whose value is not its
    // generated event's JSON was replaced by a malformed one and must reach the DLQ instead.
    const generated = new Map(
      generateEvents(
        { seed: SEED, startMs: Date.parse(`${START}T00:00:00Z`), spanMs: 2 * 86_400_000 },
        COUNT,
      ).map((e) => [e.key, e]),
    );
    const sent = await consumeAll(input, { count: COUNT, idleMs: 1000, timeoutMs: 30_000, kafka });
    expect(sent).toHaveLength(COUNT);
    const valid: GeneratedEvent[] = [];
    const malformed: string[] = [];
    for (const r of sent) {
      const e = generated.get(r.key?.toString() ?? '');
      expect(e).toBeDefined();
      if (e && r.value?.toString() === JSON.stringify(e.value)) valid.push(e);
      else malformed.push(r.value?.toString() ?? '');
    }
    expect(malformed.length).toBeGreaterThan(0);

    const streams = startMain(main, [
      'streams',
      ...flags,
      ...['--input-topic', input, '--dlq-topic', dlq, '--application-id', applicationId],
      ...['--output', out, '--formats', 'csv', '--state-dir', join(dir, 'state')],
      ...['--commit-interval-ms', '1000', '--max-file-age-ms', '1000'],
    ]);
    try {
      // Files are published before the offsets are committed: all rows are on disk by then.
      expect(await waitForCommittedToEnd(applicationId, input, 60_000, kafka)).toBe(true);
    } finally {
      const r = await streams.stop();
      expect(r.code, r.stderr.slice(-2000)).toBe(0);
      expect(`${r.stdout}${r.stderr}`).not.toContain(broker.scram.password);
    }
    expect((await readCsvRows(out)).rows).toEqual(expectedRows(valid));
    const dead = await consumeAll(dlq, { count: malformed.length, idleMs: 2000, timeoutMs: 20_000, kafka });
    expect(dead.map((r) => r.value?.toString()).sort()).toEqual(malformed.sort());
  });
});
