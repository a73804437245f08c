import { promises as fs } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { csvSink } from './csv-sink.js';
import { partitionFormats } from './partition-path.js';
import type { Schema } from './schema.js';
import {
  commit,
  duckdb,
  listFiles,
  range,
  removeTempRoots,
  sqlString,
  tempRoot,
  testContext,
  writeAll,
} from './testing/harness.js';
import { parseCsvStrict } from './testing/rfc4180.js';

afterAll(removeTempRoots);

const schema: Schema = [
  { name: 'event_id', type: 'int64' },
  { name: 'ts', type: 'timestamp-ms' },
  { name: 'text', type: 'string', nullable: true },
  { name: 'value', type: 'double', nullable: true },
  { name: 'ok', type: 'boolean' },
];

const day1 = Date.UTC(2025, 10, 6, 23, 59, 59, 999);
const day2 = Date.UTC(2025, 10, 7, 0, 0, 0, 0);
const rows = [
  { event_id: 9007199254740993n, ts: day1, text: 'plain', value: 1.5, ok: true },
  { event_id: 2n, ts: day1, text: 'comma, "quote" and\r\nCRLF and \n LF', value: null, ok: false },
  { event_id: 3n, ts: day2, text: null, value: -0.000001, ok: true },
  { event_id: 4n, ts: day2, text: '', value: 123456789.125, ok: true },
  { event_id: 5n, ts: day2, text: 'unicode ✓ ü 🌍', value: 0, ok: false },
];

describe('csvSink', () => {
  for (const eol of ['\r\n', '\n'] as const) {
    it(`round-trips through a strict RFC 4180 parser (${JSON.stringify(eol)}), partitioned by day`, async () => {
      const root = await tempRoot();
      const sink = csvSink<string, (typeof rows)[number]>({
        name: 'events',
        path: root,
        schema,
        partitionBy: ['dt'],
        partitionFormat: { dt: (_v, row) => partitionFormats.day(row.ts) },
        lineEnding: eol,
      });
      const task = await sink.openTask(testContext());
      writeAll(task, rows);
      await commit(task, [range(10n, 14n)]);
      const files = await listFiles(root);
      expect(files).toEqual([
        'dt=2025-11-06/part-0_0-in-0-10-14-0.csv',
        'dt=2025-11-07/part-0_0-in-0-10-14-0.csv',
      ]);
      const parsed = [];
      for (const f of files) {
        const records = parseCsvStrict(await fs.readFile(path.join(root, f), 'utf8'), eol);
        expect(records[0]!.map((x) => x.text)).toEqual(['event_id', 'ts', 'text', 'value', 'ok']);
        for (const r of records.slice(1)) parsed.push({ dir: f.split('/')[0], r });
      }
      // Independent expectation: each field's text as RFC 4180 + ISO-8601 say it must read back.
      const want = rows.map((row) => ({
        dir: `dt=${new Date(row.ts).toISOString().slice(0, 10)}`,
        r: [
          { text: row.event_id.toString(), quoted: false },
          { text: new Date(row.ts).toISOString(), quoted: false },
          row.text === null
            ? { text: '', quoted: false }
            : { text: row.text, quoted: row.text === '' || /[,"\r\n]/.test(row.text) },
          { text: row.value === null ? '' : String(row.value), quoted: false },
          { text: String(row.ok), quoted: false },
        ],
      }));
      expect(parsed).toEqual(want);
      expect(parsed[0]!.r[1]!.text).toBe('2025-11-06T23:59:59.999Z');
      expect(parsed[0]!.r[0]!.text).toBe('9007199254740993');
    });
  }

  it('reads back in DuckDB with NULL vs empty string preserved', async () => {
    const root = await tempRoot();
    const sink = csvSink<string, (typeof rows)[number]>({ name: 'events', path: root, schema });
    const task = await sink.openTask(testContext());
    writeAll(task, rows);
    await commit(task, [range(0n, 4n)]);
    const db = await duckdb();
    const got = await db.query(
      `SELECT event_id, epoch_ms(ts) AS ms, text, value, ok FROM read_csv(${sqlString(`${root}/*.csv`)},
        header=true, allow_quoted_nulls=false, columns={'event_id':'BIGINT','ts':'TIMESTAMPTZ','text':'VARCHAR','value':'DOUBLE','ok':'BOOLEAN'})
       ORDER BY event_id`,
    );
    db.close();
    const want = [...rows]
      .sort((a, b) => (a.event_id < b.event_id ? -1 : 1))
      .map((r) => ({ event_id: r.event_id, ms: BigInt(r.ts), text: r.text, value: r.value, ok: r.ok }));
    expect(got).toEqual(want);
  });

  it('can omit the header', async () => {
    const root = await tempRoot();
    const sink = csvSink<string, { a: string }>({
      name: 'x',
      path: root,
      schema: [{ name: 'a', type: 'string' }],
      header: false,
      lineEnding: '\n',
    });
    const task = await sink.openTask(testContext());
    writeAll(task, [{ a: 'x' }, { a: 'y"z' }]);
    await commit(task, [range(0n, 1n)]);
    expect(await fs.readFile(path.join(root, 'part-0_0-in-0-0-1-0.csv'), 'utf8')).toBe('x\n"y""z"\n');
  });
});

describe('parseCsvStrict (the test oracle itself)', () => {
  it('rejects malformed input', () => {
    expect(() => parseCsvStrict('a,b"c\r\n', '\r\n')).toThrow(/quote in an unquoted field/);
    expect(() => parseCsvStrict('"abc\r\n', '\r\n')).toThrow(/unterminated/);
    expect(() => parseCsvStrict('"a"b\r\n', '\r\n')).toThrow(/after a field/);
    expect(() => parseCsvStrict('a,b\r\nc\r\n', '\r\n')).toThrow(/fields/);
    expect(() => parseCsvStrict('a\nb\n', '\r\n')).toThrow();
    expect(() => parseCsvStrict('a,b', '\n')).toThrow(/not terminated/);
  });

  it('accepts quoted line breaks and doubled quotes', () => {
    expect(parseCsvStrict('"a\r\n""b""",\r\n', '\r\n')).toEqual([
      [
        { text: 'a\r\n"b"', quoted: true },
        { text: '', quoted: false },
      ],
    ]);
  });
});
