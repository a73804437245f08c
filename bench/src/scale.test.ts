import { UsageError } from '@tributary/app-kit';
import { describe, expect, it } from 'vitest';
import { dataSets, parseScaleCli } from './cli.js';
import { scalePlan } from './scale-plan.js';
import { aggregateSamples } from './suite/child.js';

describe('scale.ts command line and plan', () => {
  it('parses RECORDS:CAMPAIGNS data sets and rejects anything else', () => {
    expect(dataSets(['1000000:30', '4000000:22000'], 'windows')).toEqual([
      { records: 1_000_000, campaigns: 30 },
      { records: 4_000_000, campaigns: 22_000 },
    ]);
    for (const bad of ['1000000', '1000000:0', 'a:30', '1:2:3'])
      expect(() => dataSets([bad], 'windows')).toThrow(UsageError);
  });

  it('runs a shared point once for every curve it belongs to, grouped by data set', () => {
    const { values } = parseScaleCli(
      [
        '--sizes',
        '250000,1000000',
        '--windows',
        '1000000:30,1000000:1000',
        '--instances',
        '1,2',
        '--restore',
        '1000000:30',
      ],
      {},
    );
    const plan = scalePlan(values).map(
      (p) => `${p.records}:${p.campaigns}x${p.instances} ${p.curves.join('+')}${p.restore ? ' restore' : ''}`,
    );
    expect(plan).toEqual([
      '250000:1000x1 input',
      '1000000:1000x1 input+windows+instances',
      '1000000:1000x2 instances',
      '1000000:30x1 windows restore',
    ]);
  });

  it('a restore data set in no curve gets a run of its own', () => {
    const { values } = parseScaleCli(['--curves', 'restore', '--restore', '500000:100'], {});
    expect(scalePlan(values)).toEqual([
      { records: 500_000, campaigns: 100, instances: 1, curves: [], restore: true },
    ]);
  });

  it('rejects a bad curve name and a bad instance count before running', () => {
    expect(() => parseScaleCli(['--curves', 'input,speed'], {})).toThrow(UsageError);
    const { values } = parseScaleCli(['--instances', '0'], {});
    expect(() => scalePlan(values)).toThrow(UsageError);
  });

  it('sums CPU over the processes of a run; RSS is the largest process and the sum', () => {
    expect(
      aggregateSamples([
        { cpuS: 10.5, rssMb: 400 },
        { cpuS: 9.5, rssMb: 350 },
      ]),
    ).toEqual({ cpuS: 20, rssMb: 400, rssSumMb: 750 });
    expect(aggregateSamples([])).toEqual({ cpuS: 0, rssMb: 0, rssSumMb: 0 });
  });
});
