import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runMain } from '@tributary/app-kit/testing';
import { describe, expect, it } from 'vitest';
import { parseCampaignCtrCli } from './cli.js';

const main = join(dirname(fileURLToPath(import.meta.url)), 'main.ts');

describe('campaign-ctr CLI', () => {
  it('parses a good command line, with the shared flag spellings and the environment', () => {
    const r = parseCampaignCtrCli(
      ['streams', '--bootstrap-servers', 'k:9092', '--input-topic', 'views', '--join-grace-ms', '0'],
      { CLICK_LOG_TOPIC: 'clicks' },
    );
    expect(r.command).toBe('streams');
    expect(r.values).toMatchObject({
      'bootstrap-servers': 'k:9092',
      'input-topic': 'views',
      'click-topic': 'clicks',
      'late-topic': 'campaign-ctr-late',
      'click-window-ms': 600_000,
      'join-grace-ms': 0,
      'grace-ms': undefined,
      guarantee: 'at-least-once',
    });
  });

  it('leaves the networks join off unless a networks topic is given (flag or environment)', () => {
    const off = parseCampaignCtrCli(['streams'], {});
    expect(off.values['networks-topic']).toBeUndefined();
    expect(off.values['campaign-networks-topic']).toBe('campaign-networks');
    expect(off.values['networks-csv']).toMatch(/apps\/campaign-ctr\/data\/networks\.csv$/);
    const on = parseCampaignCtrCli(['streams', '--campaign-networks-topic', 'cn'], {
      NETWORKS_TOPIC: 'nets',
    });
    expect(on.values).toMatchObject({ 'networks-topic': 'nets', 'campaign-networks-topic': 'cn' });
    expect(parseCampaignCtrCli(['load-networks'], {}).command).toBe('load-networks');
  });

  it('exits 2 with the reason, before connecting, on a bad value, a grace shorter than the click window or an unknown flag', async () => {
    const [badRate, shortGrace, unknown] = await Promise.all([
      runMain(main, ['produce', '--click-rate', '2']),
      runMain(main, ['streams', '--grace-ms', '60000']),
      runMain(main, ['streams', '--clicks', 'x']),
    ]);
    expect(badRate.code).toBe(2);
    expect(badRate.stderr).toContain('--click-rate must be a number from 0 to 1 (got "2")');
    expect(shortGrace.code).toBe(2);
    expect(shortGrace.stderr).toContain('--grace-ms must be at least --click-window-ms (600000)');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown flag --clicks');
  });
});
