import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runMain } from '@tributary/app-kit/testing';
import { describe, expect, it } from 'vitest';
import { parseArchiveCli } from './cli.js';

const main = join(dirname(fileURLToPath(import.meta.url)), 'main.ts');

describe('events-archive CLI', () => {
  it('parses a good command line', () => {
    const r = parseArchiveCli(
      [
        'streams',
        '--input-topic',
        'ev',
        '--formats',
        'csv',
        '--max-file-bytes',
        '1048576',
        '--start-date',
        '2025-11-06',
      ],
      { OUTPUT_DIR: '/tmp/out' },
    );
    expect(r.command).toBe('streams');
    expect(r.values).toMatchObject({
      'input-topic': 'ev',
      formats: ['csv'],
      'max-file-bytes': 1_048_576,
      'max-open-files': undefined,
      'max-records-per-file': 100_000,
      output: '/tmp/out',
      'start-date': '2025-11-06',
    });
  });

  it('rejects a date that is not YYYY-MM-DD', () => {
    expect(() => parseArchiveCli(['produce', '--start-date', '2025-02-30x'], {})).toThrow(
      '--start-date must be a date YYYY-MM-DD (got "2025-02-30x")',
    );
  });

  it('exits 2 with the reason, before connecting, on a bad enum, a bad number or an unknown flag', async () => {
    const [badEnum, badNumber, unknown] = await Promise.all([
      runMain(main, ['streams', '--formats', 'parquet,json']),
      runMain(main, ['streams', '--max-file-age-ms', '0']),
      runMain(main, ['streams', '--bootstrap', '127.0.0.1:19092']),
    ]);
    expect(badEnum.code).toBe(2);
    expect(badEnum.stderr).toContain(
      '--formats must be a comma-separated list of: parquet, csv (got "parquet,json")',
    );
    expect(badNumber.code).toBe(2);
    expect(badNumber.stderr).toContain('--max-file-age-ms must be an integer >= 1 (got "0")');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown flag --bootstrap');
  });
});
