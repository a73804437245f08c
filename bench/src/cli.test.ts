import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UsageError } from '@tributary/app-kit';
import { runMain } from '@tributary/app-kit/testing';
import { describe, expect, it } from 'vitest';
import { parseSuiteCli } from './cli.js';

const here = dirname(fileURLToPath(import.meta.url));

describe('bench CLI', () => {
  it('parses a good run-suite command line', () => {
    const r = parseSuiteCli(
      ['--records', '1000000', '--peers', 'ceiling,trib-full-topic-alo', '--no-build'],
      {},
    );
    expect(r.values).toMatchObject({
      records: 1_000_000,
      partitions: undefined,
      runs: 3,
      peers: ['ceiling', 'trib-full-topic-alo'],
      'no-build': true,
      quick: false,
      'commit-ms': 1000,
    });
  });

  it('rejects an unknown peer id', () => {
    expect(() => parseSuiteCli(['--peers', 'ceiling,kstreams'], {})).toThrow(UsageError);
  });

  it('exits 2 with the reason, before touching the broker, on a bad enum, a bad number or an unknown flag', async () => {
    const [badNumber, badEnum, unknown] = await Promise.all([
      runMain(join(here, 'run-suite.ts'), ['--records', 'abc']),
      runMain(join(here, 'chaos/run.ts'), ['--guarantee', 'exactly_once']),
      runMain(join(here, 'run-suite.ts'), ['--record', '1000']),
    ]);
    expect(badNumber.code).toBe(2);
    expect(badNumber.stderr).toContain('--records must be an integer >= 1 (got "abc")');
    expect(badNumber.stderr).toContain('usage: npx tsx bench/src/run-suite.ts');
    expect(badEnum.code).toBe(2);
    expect(badEnum.stderr).toContain(
      '--guarantee must be one of: at-least-once, exactly-once (got "exactly_once")',
    );
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown flag --record');
  });
});
