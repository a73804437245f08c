import { describe, expect, it } from 'vitest';
import { commitStem, escapeNamePart, fileName, parseTaskFile, tempName } from './file-naming.js';
import { escapePathValue, formatDay, formatHour, formatMinute, PartitionPath } from './partition-path.js';
import { toValue, toValues } from './schema.js';

describe('partition paths', () => {
  it('formats UTC minutes, hours and days', () => {
    const ms = Date.UTC(2025, 10, 6, 12, 30, 59, 999);
    expect(formatMinute(ms)).toBe('2025-11-06T12-30');
    expect(formatMinute(BigInt(ms))).toBe('2025-11-06T12-30');
    expect(formatMinute(new Date(ms))).toBe('2025-11-06T12-30');
    expect(formatHour(ms)).toBe('2025-11-06T12');
    expect(formatDay(ms)).toBe('2025-11-06');
    expect(formatDay(Date.UTC(2024, 1, 29, 23, 59, 59, 999))).toBe('2024-02-29');
    expect(formatMinute(-1)).toBe('1969-12-31T23-59');
  });

  it('escapes like Hive and keeps unicode', () => {
    expect(escapePathValue('a/b=c%d:e#f?g*h\\i"j\'k{[]^\n')).toBe(
      'a%2Fb%3Dc%25d%3Ae%23f%3Fg%2Ah%5Ci%22j%27k%7B%5B%5D%5E%0A',
    );
    expect(escapePathValue('日本 x-y_z.1')).toBe('日本 x-y_z.1');
  });

  it('builds nested directories with defaults for null and empty values', () => {
    const schema = [
      { name: 'n', type: 'int64', nullable: true },
      { name: 's', type: 'string', nullable: true },
      { name: 't', type: 'timestamp-ms' },
    ] as const;
    const p = new PartitionPath(schema, ['n', 's', 't'], {});
    const row = { n: 5n, s: 'a b', t: 0 };
    expect(p.dirOf(toValues(schema, row), row)).toBe('n=5/s=a b/t=1970-01-01T00%3A00%3A00.000Z');
    const row2 = { n: null, s: '', t: 0 };
    expect(p.dirOf(toValues(schema, row2), row2)).toBe(
      'n=__HIVE_DEFAULT_PARTITION__/s=__HIVE_DEFAULT_PARTITION__/t=1970-01-01T00%3A00%3A00.000Z',
    );
  });
});

describe('file names', () => {
  it('encode task and offsets and parse back only for the same task', () => {
    const stem = commitStem('1_2', [{ topic: 'view-log', partition: 3, from: 10n, to: 99n }], 0);
    const name = fileName(stem, 4, 'parquet');
    expect(name).toBe('part-1_2-view%2Dlog-3-10-99-4.parquet');
    const parsed = { kind: 'range', topic: 'view-log', partition: 3, from: 10n, to: 99n, seq: 4 };
    expect(parseTaskFile(name, '1_2', 'parquet')).toEqual({ ...parsed, temp: false });
    expect(parseTaskFile(tempName(name), '1_2', 'parquet')).toEqual({ ...parsed, temp: true });
    expect(parseTaskFile(name, '1_20', 'parquet')).toBeUndefined();
    expect(parseTaskFile(name, '1', 'parquet')).toBeUndefined();
    expect(parseTaskFile(name, '1_2', 'csv')).toBeUndefined();
    expect(tempName(name)).toBe('.part-1_2-view%2Dlog-3-10-99-4.parquet.tmp');
  });

  it('escapes task ids with dashes so they cannot be confused', () => {
    expect(escapeNamePart('a-b')).toBe('a%2Db');
    const name = fileName(commitStem('a-b', [{ topic: 't', partition: 0, from: 0n, to: 1n }], 0), 0, 'csv');
    expect(parseTaskFile(name, 'a', 'csv')).toBeUndefined();
    expect(parseTaskFile(name, 'a-b', 'csv')).toMatchObject({ topic: 't', from: 0n, to: 1n });
  });

  it('names commits without an input range by time', () => {
    expect(fileName(commitStem('0_0', [], 1234), 0, 'csv')).toBe('part-0_0-t1234-0.csv');
    expect(parseTaskFile('part-0_0-t1234-0.csv', '0_0', 'csv')).toEqual({
      kind: 'time',
      temp: false,
      at: 1234,
      seq: 0,
    });
  });
});

describe('schema values', () => {
  it('converts and validates each type', () => {
    const c = (type: Parameters<typeof toValue>[0]['type'], nullable = false) => ({
      name: 'c',
      type,
      nullable,
    });
    expect(toValue(c('int64'), 42)).toBe(42n);
    expect(toValue(c('int64'), 2n ** 63n - 1n)).toBe(2n ** 63n - 1n);
    expect(() => toValue(c('int64'), 2n ** 63n)).toThrow(/int64 range/);
    expect(() => toValue(c('int64'), 2 ** 53)).toThrow(/not a safe integer/);
    expect(toValue(c('timestamp-ms'), new Date(5))).toBe(5);
    expect(toValue(c('timestamp-ms'), 5n)).toBe(5);
    expect(() => toValue(c('timestamp-ms'), 1.5)).toThrow(/epoch milliseconds/);
    expect(() => toValue(c('timestamp-ms'), new Date(Number.NaN))).toThrow(/epoch milliseconds/);
    expect(() => toValue(c('int32'), 2 ** 31)).toThrow(/int32/);
    expect(toValue(c('int32'), 7n)).toBe(7);
    expect(() => toValue(c('double'), '1')).toThrow(/number/);
    expect(() => toValue(c('string'), 1)).toThrow(/string/);
    expect(() => toValue(c('boolean'), 1)).toThrow(/boolean/);
    expect(toValue(c('string', true), undefined)).toBeNull();
    expect(() => toValue(c('string'), undefined)).toThrow(/required/);
  });
});
