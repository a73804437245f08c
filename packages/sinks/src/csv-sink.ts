import { TributaryError } from '@tributary/core';
import { type FileFormat, FileSink, type FileSinkOptions, type ResolvedFileSink } from './file-sink.js';
import type { Column, Value } from './schema.js';

export type CsvLineEnding = '\r\n' | '\n';

export interface CsvSinkOptions<K, V> extends FileSinkOptions<K, V> {
  /** Default CRLF, as RFC 4180 specifies. */
  readonly lineEnding?: CsvLineEnding;
  /** Default true: every file starts with the column names. */
  readonly header?: boolean;
}

const needsQuotes = /[",\r\n]/;

/** RFC 4180 field: quoted (quotes doubled) when it holds a comma, quote, CR or LF. */
export function csvField(s: string): string {
  return needsQuotes.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

/**
 * One value as CSV text. Null is an empty field; an empty string is `""` so the two stay
 * distinguishable (DuckDB reads them back as NULL and '' with `allow_quoted_nulls=false`;
 * by default it reads both as NULL). Timestamps are ISO-8601 UTC,
 * int64 is exact, doubles use JavaScript's shortest round-trip form.
 */
export function csvValue(col: Column, v: Value): string {
  if (v === null) return '';
  if (typeof v === 'string') return v === '' ? '""' : csvField(v);
  if (col.type === 'timestamp-ms' && typeof v === 'number') return new Date(v).toISOString();
  return String(v);
}

function csvFormat<K, V>(
  resolved: ResolvedFileSink<K, V>,
  eol: CsvLineEnding,
  header: boolean,
): FileFormat<string> {
  const columns = resolved.fileColumns.map((i) => resolved.options.schema[i]!);
  const head = header ? columns.map((c) => csvField(c.name)).join(',') + eol : '';
  return {
    extension: 'csv',
    baseBytes: Buffer.byteLength(head),
    encode(values) {
      let line = '';
      for (let i = 0; i < columns.length; i++) {
        if (i > 0) line += ',';
        line += csvValue(columns[i]!, values[i] ?? null);
      }
      line += eol;
      return { row: line, bytes: Buffer.byteLength(line) };
    },
    serialize: (rows) => Buffer.from(head + rows.join('')),
  };
}

/**
 * RFC 4180 CSV files under `path`, Hive-partitioned, published atomically at each task commit.
 * `write()` throws TributaryError('SINK_FAILED') for a row that does not match the schema.
 */
export function csvSink<K, V>(options: CsvSinkOptions<K, V>): FileSink<K, V, string> {
  const eol = options.lineEnding ?? '\r\n';
  if (eol !== '\r\n' && eol !== '\n') {
    throw new TributaryError('CONFIG_INVALID', 'csv lineEnding must be "\\r\\n" or "\\n"');
  }
  return new FileSink('csv', options, (resolved) => csvFormat(resolved, eol, options.header ?? true));
}
