import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runMain } from '@tributary/app-kit/testing';
import { describe, expect, it } from 'vitest';
import { parseCampaignViewsCli } from './cli.js';

const main = join(dirname(fileURLToPath(import.meta.url)), 'main.ts');

describe('campaign-views CLI', () => {
  it('parses a good command line', () => {
    const r = parseCampaignViewsCli(
      [
        'streams',
        '--bootstrap-servers',
        'k:9092',
        '--input-topic',
        'views',
        '--guarantee',
        'exactly-once',
        '--grace-ms',
        '0',
      ],
      { CAMPAIGNS_TOPIC: 'camps' },
    );
    expect(r.command).toBe('streams');
    expect(r.values).toMatchObject({
      'bootstrap-servers': 'k:9092',
      'input-topic': 'views',
      'campaigns-topic': 'camps',
      guarantee: 'exactly-once',
      'grace-ms': 0,
      'idle-timeout-ms': 30_000,
      'commit-interval-ms': undefined,
    });
  });

  it('exits 2 with the reason, before connecting, on a bad enum, a bad number or an unknown flag', async () => {
    const [badEnum, badNumber, unknown, badCommand] = await Promise.all([
      runMain(main, ['streams', '--guarantee', 'exactly_once']),
      runMain(main, ['produce', '--malformed', '1.5']),
      runMain(main, ['streams', '--input', 'view_log']),
      runMain(main, ['stream']),
    ]);
    expect(badEnum.code).toBe(2);
    expect(badEnum.stderr).toContain(
      '--guarantee must be one of: at-least-once, exactly-once (got "exactly_once")',
    );
    expect(badNumber.code).toBe(2);
    expect(badNumber.stderr).toContain('--malformed must be a number from 0 to 1 (got "1.5")');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown flag --input');
    expect(badCommand.code).toBe(2);
    expect(badCommand.stderr).toContain(
      'the command must be one of: load-campaigns, produce, streams (got "stream")',
    );
  });
});
