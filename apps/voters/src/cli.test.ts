import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runMain } from '@tributary/app-kit/testing';
import { describe, expect, it } from 'vitest';
import { parseVotersCli } from './cli.js';

const main = join(dirname(fileURLToPath(import.meta.url)), 'main.ts');

describe('voters CLI', () => {
  it('parses a good command line', () => {
    const r = parseVotersCli(
      [
        'produce',
        '--bootstrap-servers',
        'k:9092',
        '--input-topic',
        'v',
        '--count',
        '600',
        '--invalid-ratio',
        '0.1',
      ],
      { LOG_LEVEL: 'warn' },
    );
    expect(r.command).toBe('produce');
    expect(r.values).toMatchObject({
      'bootstrap-servers': 'k:9092',
      'input-topic': 'v',
      'log-level': 'warn',
      count: 600,
      'invalid-ratio': 0.1,
      rate: 0,
      partitions: 3,
      'no-table': false,
    });
  });

  it('exits 2 with the reason, before connecting, on a bad enum, a bad number or an unknown flag', async () => {
    const [badEnum, badNumber, unknown] = await Promise.all([
      runMain(main, ['streams', '--log-level', 'verbose']),
      runMain(main, ['produce', '--count', '12x']),
      runMain(main, ['produce', '--topic', 'voters']),
    ]);
    expect(badEnum.code).toBe(2);
    expect(badEnum.stderr).toContain('--log-level must be one of: debug, info, warn, error (got "verbose")');
    expect(badNumber.code).toBe(2);
    expect(badNumber.stderr).toContain('--count must be an integer >= 0 (got "12x")');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown flag --topic');
    expect(unknown.stderr).toContain('usage: tsx apps/voters/src/main.ts');
  });

  it('exits 2 on security flags that mean nothing without another (a password file without SASL)', async () => {
    const r = await runMain(main, ['streams', '--sasl-password-file', '/etc/kafka/pw']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      '--sasl-password-file needs --security-protocol SASL_SSL or SASL_PLAINTEXT (got PLAINTEXT)',
    );
  });
});
