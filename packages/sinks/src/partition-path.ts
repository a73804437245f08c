import { TributaryError } from '@tributary/core';
import type { Row, Schema, Value } from './schema.js';

/** Hive's name for a null or empty partition value; DuckDB and Spark read it back as NULL. */
export const HIVE_DEFAULT_PARTITION = '__HIVE_DEFAULT_PARTITION__';

/**
 * Turns a partition value into the text after `col=`. Receives the validated value for schema
 * columns (epoch ms for timestamps, bigint for int64) or the raw row property otherwise, plus the
 * whole row for derived partitions. Returning null or '' selects the default partition.
 */
export type PartitionFormatter = (value: unknown, row: Row) => string | null;

function toMs(value: unknown): number {
  const ms = value instanceof Date ? value.getTime() : typeof value === 'bigint' ? Number(value) : value;
  if (typeof ms !== 'number' || !Number.isFinite(ms)) {
    throw new TributaryError('SINK_FAILED', `partition value is not a timestamp: ${String(value)}`);
  }
  return ms;
}

/** `2025-11-06T12-30` (UTC minute); colons would need escaping in a path, so dashes are used. */
export function formatMinute(ms: number | bigint | Date): string {
  const iso = new Date(toMs(ms)).toISOString();
  return `${iso.slice(0, 13)}-${iso.slice(14, 16)}`;
}

/** `2025-11-06T12` (UTC hour). */
export function formatHour(ms: number | bigint | Date): string {
  return new Date(toMs(ms)).toISOString().slice(0, 13);
}

/** `2025-11-06` (UTC day), e.g. for `dt=2025-11-06`. */
export function formatDay(ms: number | bigint | Date): string {
  return new Date(toMs(ms)).toISOString().slice(0, 10);
}

/** Formatters usable in `partitionFormat` that accept whatever the column holds. */
export const partitionFormats = {
  minute: (v: unknown) => (v === null || v === undefined ? null : formatMinute(toMs(v))),
  hour: (v: unknown) => (v === null || v === undefined ? null : formatHour(toMs(v))),
  day: (v: unknown) => (v === null || v === undefined ? null : formatDay(toMs(v))),
} satisfies Record<string, PartitionFormatter>;

// The characters Hive's FileUtils.escapePathName escapes, besides control characters.
const special = new Set(['"', '#', '%', "'", '*', '/', ':', '=', '?', '\\', '{', '[', ']', '^']);

/** Hive-style path escaping: special characters become %XX (upper-case hex); unicode is kept. */
export function escapePathValue(s: string): string {
  let out = '';
  for (const c of s) {
    const code = c.charCodeAt(0);
    out +=
      code < 0x20 || code === 0x7f || special.has(c)
        ? `%${code.toString(16).toUpperCase().padStart(2, '0')}`
        : c;
  }
  return out;
}

function defaultText(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'object') {
    throw new TributaryError('SINK_FAILED', 'partition value is an object; give a partitionFormat for it');
  }
  return String(value);
}

interface PartitionColumn {
  readonly name: string;
  /** Index in the schema, or -1 for a derived partition (not a schema column). */
  readonly index: number;
  readonly format: PartitionFormatter | undefined;
  readonly isTimestamp: boolean;
}

/** Computes `a=x/b=y` for a row. Built once per sink from the options. */
export class PartitionPath {
  private readonly columns: readonly PartitionColumn[];

  constructor(
    schema: Schema,
    partitionBy: readonly string[],
    formats: Readonly<Record<string, PartitionFormatter>>,
  ) {
    this.columns = partitionBy.map((name) => {
      const index = schema.findIndex((c) => c.name === name);
      const format = formats[name];
      if (index < 0 && !format) {
        throw new TributaryError(
          'CONFIG_INVALID',
          `partition column "${name}" is neither in the schema nor has a partitionFormat`,
        );
      }
      if (name === '' || /[/=\\\0]/.test(name)) {
        throw new TributaryError('CONFIG_INVALID', `invalid partition column name ${JSON.stringify(name)}`);
      }
      return { name, index, format, isTimestamp: index >= 0 && schema[index]!.type === 'timestamp-ms' };
    });
    for (const name of Object.keys(formats)) {
      if (!partitionBy.includes(name)) {
        throw new TributaryError('CONFIG_INVALID', `partitionFormat "${name}" is not in partitionBy`);
      }
    }
  }

  get isEmpty(): boolean {
    return this.columns.length === 0;
  }

  /** Relative directory for the row ('' when unpartitioned). */
  dirOf(values: readonly Value[], row: Row): string {
    let out = '';
    for (const col of this.columns) {
      const value = col.index >= 0 ? values[col.index] : row[col.name];
      const text = col.format
        ? col.format(value, row)
        : col.isTimestamp && typeof value === 'number'
          ? new Date(value).toISOString()
          : defaultText(value);
      const part = text === null || text === '' ? HIVE_DEFAULT_PARTITION : escapePathValue(text);
      out = out === '' ? `${col.name}=${part}` : `${out}/${col.name}=${part}`;
    }
    return out;
  }
}
