import path from 'node:path';
import { isTributaryError, record } from '@tributary/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parquetSink } from './parquet-sink.js';
import { formatMinute, HIVE_DEFAULT_PARTITION, partitionFormats } from './partition-path.js';
import type { Schema } from './schema.js';
import {
  commit,
  duckdb,
  listFiles,
  range,
  readParquet,
  removeTempRoots,
  sqlString,
  tempRoot,
  testContext,
  writeAll,
} from './testing/harness.js';

afterAll(removeTempRoots);

const schema: Schema = [
  { name: 'campaign_id', type: 'int64' },
  { name: 'network_id', type: 'int64', nullable: true },
  { name: 'campaign_name', type: 'string', nullable: true },
  { name: 'minute_timestamp', type: 'timestamp-ms' },
  { name: 'view_count', type: 'int64' },
  { name: 'avg_duration', type: 'double', nullable: true },
  { name: 'small', type: 'int32' },
  { name: 'ok', type: 'boolean', nullable: true },
];

const minute = Date.UTC(2025, 10, 6, 12, 30);
const rows = [
  {
    campaign_id: 9007199254740993n,
    network_id: 1n,
    campaign_name: 'a,b "quoted"\nnew line',
    minute_timestamp: minute,
    view_count: 3,
    avg_duration: 12.625,
    small: -2147483648,
    ok: true,
  },
  {
    campaign_id: 2n,
    network_id: 1n,
    campaign_name: 'Ünïcødé 🌍 日本',
    minute_timestamp: new Date(minute + 60_000),
    view_count: 9223372036854775807n,
    avg_duration: null,
    small: 7,
    ok: null,
  },
  {
    campaign_id: -9223372036854775808n,
    network_id: null,
    campaign_name: null,
    minute_timestamp: BigInt(minute + 59_999),
    view_count: 0n,
    avg_duration: -0.1,
    small: 2147483647,
    ok: false,
  },
  {
    campaign_id: 4n,
    network_id: 2n,
    campaign_name: '',
    minute_timestamp: minute,
    view_count: 1n,
    avg_duration: 1e300,
    small: 0,
    ok: true,
  },
];

// The expected values, computed by hand from `rows`, in the types each reader returns.
const expected = [
  [9007199254740993n, 1n, 'a,b "quoted"\nnew line', minute, 3n, 12.625, -2147483648, true],
  [2n, 1n, 'Ünïcødé 🌍 日本', minute + 60_000, 9223372036854775807n, null, 7, null],
  [-9223372036854775808n, null, null, minute + 59_999, 0n, -0.1, 2147483647, false],
  [4n, 2n, '', minute, 1n, 1e300, 0, true],
].map((r) => Object.fromEntries(schema.map((c, i) => [c.name, r[i]])));

const byId = (a: Record<string, unknown>, b: Record<string, unknown>) =>
  (a.campaign_id as bigint) < (b.campaign_id as bigint) ? -1 : 1;

describe('parquetSink', () => {
  let root: string;
  let db: Awaited<ReturnType<typeof duckdb>>;

  beforeAll(async () => {
    root = await tempRoot();
    db = await duckdb();
    const sink = parquetSink<string, (typeof rows)[number]>({
      name: 'views',
      path: root,
      schema,
      partitionBy: ['network_id', 'minute_timestamp'],
      partitionFormat: { minute_timestamp: partitionFormats.minute },
    });
    const task = await sink.openTask(testContext());
    writeAll(task, rows);
    await commit(task, [range(0n, 3n)]);
    await task.close();
  });
  afterAll(() => db.close());

  it('writes one file per partition directory with deterministic names', async () => {
    expect(await listFiles(root)).toEqual([
      'network_id=1/minute_timestamp=2025-11-06T12-30/part-0_0-in-0-0-3-0.parquet',
      'network_id=1/minute_timestamp=2025-11-06T12-31/part-0_0-in-0-0-3-0.parquet',
      'network_id=2/minute_timestamp=2025-11-06T12-30/part-0_0-in-0-0-3-0.parquet',
      `network_id=${HIVE_DEFAULT_PARTITION}/minute_timestamp=2025-11-06T12-30/part-0_0-in-0-0-3-0.parquet`,
    ]);
  });

  it('reads back exactly with hyparquet', async () => {
    const all: Record<string, unknown>[] = [];
    for (const f of await listFiles(root)) {
      for (const r of await readParquet(path.join(root, f))) {
        // hyparquet returns timestamps as Date
        all.push({ ...r, minute_timestamp: (r.minute_timestamp as Date).getTime() });
      }
    }
    expect(all.sort(byId)).toEqual([...expected].sort(byId));
  });

  it('reads back exactly with DuckDB (file values) and declares the right types', async () => {
    const glob = sqlString(`${root}/**/*.parquet`);
    const got = await db.query(
      `SELECT * EXCLUDE (minute_timestamp), epoch_ms(minute_timestamp) AS minute_timestamp
       FROM read_parquet(${glob}, hive_partitioning=false)`,
    );
    expect(got.map((r) => ({ ...r, minute_timestamp: Number(r.minute_timestamp) })).sort(byId)).toEqual(
      [...expected].sort(byId),
    );
    const types = await db.query(`DESCRIBE SELECT * FROM read_parquet(${glob}, hive_partitioning=false)`);
    expect(Object.fromEntries(types.map((t) => [t.column_name, t.column_type]))).toEqual({
      campaign_id: 'BIGINT',
      network_id: 'BIGINT',
      campaign_name: 'VARCHAR',
      minute_timestamp: 'TIMESTAMP WITH TIME ZONE',
      view_count: 'BIGINT',
      avg_duration: 'DOUBLE',
      small: 'INTEGER',
      ok: 'BOOLEAN',
    });
    const schemaRows = await db.query(
      `SELECT name, repetition_type, logical_type FROM parquet_schema(${sqlString(`${root}/network_id=2/**/*.parquet`)})`,
    );
    const rep = Object.fromEntries(schemaRows.map((r) => [r.name, r.repetition_type]));
    expect(rep).toMatchObject({ campaign_id: 'REQUIRED', network_id: 'OPTIONAL', campaign_name: 'OPTIONAL' });
    const ts = schemaRows.find((r) => r.name === 'minute_timestamp');
    expect(String(ts?.logical_type)).toContain('isAdjustedToUTC=1');
    expect(String(ts?.logical_type)).toContain('MILLIS');
  });

  it('uses SNAPPY for every column chunk', async () => {
    const meta = await db.query(
      `SELECT DISTINCT compression FROM parquet_metadata(${sqlString(`${root}/**/*.parquet`)})`,
    );
    expect(meta).toEqual([{ compression: 'SNAPPY' }]);
  });

  it('has partition directories that match every row, and a NULL default partition', async () => {
    const got = await db.query(
      `SELECT network_id AS dir_network, minute_timestamp AS dir_minute, filename
       FROM read_parquet(${sqlString(`${root}/**/*.parquet`)}, hive_partitioning=true, filename=true)`,
    );
    expect(got).toHaveLength(rows.length);
    // The same files read without hive partitioning give the in-file values to compare with.
    const inFile = await db.query(
      `SELECT network_id, epoch_ms(minute_timestamp) AS ms, filename
       FROM read_parquet(${sqlString(`${root}/**/*.parquet`)}, hive_partitioning=false, filename=true)`,
    );
    const dirs = got.map((r) => [r.filename, r.dir_network, r.dir_minute]).sort();
    const want = inFile.map((r) => [r.filename, r.network_id, formatMinute(Number(r.ms))]).sort();
    expect(dirs).toEqual(want);
    expect(got.filter((r) => r.dir_network === null)).toHaveLength(1);
  });

  it('reads cleanly with hive_partitioning=true although partition columns are also in the files', async () => {
    // DuckDB lets the directory value replace a same-named file column: no duplicate, no error.
    const types = await db.query(
      `DESCRIBE SELECT * FROM read_parquet(${sqlString(`${root}/**/*.parquet`)}, hive_partitioning=true)`,
    );
    expect(types.map((t) => [t.column_name, t.column_type])).toEqual([
      ['campaign_id', 'BIGINT'],
      ['network_id', 'BIGINT'],
      ['campaign_name', 'VARCHAR'],
      ['minute_timestamp', 'VARCHAR'],
      ['view_count', 'BIGINT'],
      ['avg_duration', 'DOUBLE'],
      ['small', 'INTEGER'],
      ['ok', 'BOOLEAN'],
    ]);
  });
});

describe('parquetSink options and validation', () => {
  it('writes UNCOMPRESSED when asked, and can keep partition columns out of the files', async () => {
    const root = await tempRoot();
    const sink = parquetSink<string, { id: bigint; day: string }>({
      name: 's',
      path: root,
      schema: [
        { name: 'id', type: 'int64' },
        { name: 'day', type: 'string' },
      ],
      partitionBy: ['day'],
      partitionColumnsInFile: false,
      compression: 'UNCOMPRESSED',
    });
    const task = await sink.openTask(testContext());
    writeAll(task, [
      { id: 1n, day: 'a/b' },
      { id: 2n, day: 'x=y%' },
    ]);
    await commit(task, [range(0n, 1n)]);
    const files = await listFiles(root);
    expect(files).toEqual([
      'day=a%2Fb/part-0_0-in-0-0-1-0.parquet',
      'day=x%3Dy%25/part-0_0-in-0-0-1-0.parquet',
    ]);
    expect(await readParquet(path.join(root, files[0]!))).toEqual([{ id: 1n }]);
    const db = await duckdb();
    const got = await db.query(
      `SELECT id, day FROM read_parquet(${sqlString(`${root}/**/*.parquet`)}, hive_partitioning=true) ORDER BY id`,
    );
    expect(got).toEqual([
      { id: 1n, day: 'a/b' },
      { id: 2n, day: 'x=y%' },
    ]);
    const meta = await db.query(
      `SELECT DISTINCT compression FROM parquet_metadata(${sqlString(`${root}/**/*.parquet`)})`,
    );
    expect(meta).toEqual([{ compression: 'UNCOMPRESSED' }]);
    db.close();
  });

  it('throws SINK_FAILED from write() for rows that do not match, without buffering them', async () => {
    const root = await tempRoot();
    const sink = parquetSink<string, Record<string, unknown>>({
      name: 's',
      path: root,
      schema: [{ name: 'id', type: 'int64' }],
    });
    const task = await sink.openTask(testContext());
    const bad = [{ id: 2 ** 53 }, { id: '1' }, { id: null }, {}, null, 7];
    for (const value of bad) {
      let caught: unknown;
      try {
        task.write(record('k', value as Record<string, unknown>, 0), undefined);
      } catch (err) {
        caught = err;
      }
      expect(isTributaryError(caught, 'SINK_FAILED'), String(value)).toBe(true);
    }
    task.write(record('k', { id: 5 }, 0), undefined);
    await commit(task, [range(0n, 6n)]);
    const files = await listFiles(root);
    expect(files).toEqual(['part-0_0-in-0-0-6-0.parquet']);
    expect(await readParquet(path.join(root, files[0]!))).toEqual([{ id: 5n }]);
  });

  it('rejects invalid options with CONFIG_INVALID', () => {
    const base = { name: 's', path: '/tmp/x', schema: [{ name: 'a', type: 'int64' as const }] };
    const bad = [
      { ...base, schema: [] },
      { ...base, schema: [base.schema[0]!, base.schema[0]!] },
      { ...base, partitionBy: ['nope'] },
      { ...base, rolling: { maxRecords: 0 } },
      { ...base, compression: 'GZIP' as 'SNAPPY' },
      { ...base, name: '' },
    ];
    for (const o of bad) {
      expect(() => parquetSink(o), JSON.stringify(o)).toThrow(
        expect.objectContaining({ code: 'CONFIG_INVALID' }),
      );
    }
  });

  it('writes nothing for a commit without rows, and describes itself', async () => {
    const root = await tempRoot();
    const sink = parquetSink({
      name: 's',
      path: root,
      schema: [{ name: 'a', type: 'int64' }],
      partitionBy: ['a'],
    });
    const task = await sink.openTask(testContext());
    await commit(task, [range(0n, 5n)]);
    expect(await listFiles(root)).toEqual([]);
    expect(sink.describe()).toBe(`parquet:${root} partitionBy=a`);
  });
});
