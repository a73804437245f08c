import { TributaryError } from '@tributary/core';

export type ColumnType = 'string' | 'int32' | 'int64' | 'double' | 'boolean' | 'timestamp-ms';

export interface Column {
  readonly name: string;
  readonly type: ColumnType;
  /** Default false: a null or missing value is a schema violation. */
  readonly nullable?: boolean;
}

export type Schema = readonly Column[];

/** A row as the user's `row()` function returns it; only the schema's columns are read. */
export type Row = Readonly<Record<string, unknown>>;

/**
 * A value after validation: int64 -> bigint, timestamp-ms -> integer epoch ms (number),
 * int32/double -> number, string, boolean, or null.
 */
export type Value = string | number | bigint | boolean | null;

const columnTypes: ReadonlySet<string> = new Set([
  'string',
  'int32',
  'int64',
  'double',
  'boolean',
  'timestamp-ms',
]);
const int64Min = -(2n ** 63n);
const int64Max = 2n ** 63n - 1n;
// The range a JS Date can hold; beyond it a timestamp cannot be formatted or compared sanely.
const maxTimestampMs = 8.64e15;

export function validateSchema(schema: Schema): void {
  if (!Array.isArray(schema) || schema.length === 0) {
    throw new TributaryError('CONFIG_INVALID', 'sink schema must declare at least one column');
  }
  const seen = new Set<string>();
  for (const col of schema) {
    if (typeof col.name !== 'string' || col.name === '' || /[/=\\\0]/.test(col.name)) {
      throw new TributaryError('CONFIG_INVALID', `invalid column name ${JSON.stringify(col.name)}`);
    }
    if (seen.has(col.name)) throw new TributaryError('CONFIG_INVALID', `duplicate column "${col.name}"`);
    seen.add(col.name);
    if (!columnTypes.has(col.type)) {
      throw new TributaryError(
        'CONFIG_INVALID',
        `column "${col.name}" has unknown type "${String(col.type)}"`,
      );
    }
  }
}

function describe(v: unknown): string {
  if (typeof v === 'bigint') return `${v}n`;
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}...` : v);
  if (v instanceof Date) return `Date(${v.getTime()})`;
  return typeof v === 'object' && v !== null ? typeof v : String(v);
}

function mismatch(col: Column, v: unknown, why: string): TributaryError {
  return new TributaryError(
    'SINK_FAILED',
    `column "${col.name}" (${col.type}${col.nullable ? ', nullable' : ''}): ${why}, got ${describe(v)}`,
  );
}

/** Validates and converts one value; throws TributaryError('SINK_FAILED') on a mismatch. */
export function toValue(col: Column, v: unknown): Value {
  if (v === null || v === undefined) {
    if (col.nullable) return null;
    throw mismatch(col, v, 'value is required');
  }
  switch (col.type) {
    case 'string':
      if (typeof v === 'string') return v;
      throw mismatch(col, v, 'expected a string');
    case 'boolean':
      if (typeof v === 'boolean') return v;
      throw mismatch(col, v, 'expected a boolean');
    case 'double':
      if (typeof v === 'number') return v;
      throw mismatch(col, v, 'expected a number');
    case 'int32': {
      const n = typeof v === 'bigint' ? Number(v) : v;
      if (typeof n === 'number' && Number.isInteger(n) && n >= -2147483648 && n <= 2147483647) return n;
      throw mismatch(col, v, 'expected an integer in the int32 range');
    }
    case 'int64':
      if (typeof v === 'bigint') {
        if (v >= int64Min && v <= int64Max) return v;
        throw mismatch(col, v, 'bigint outside the int64 range');
      }
      if (typeof v === 'number') {
        // A number above 2^53 has already lost precision; refuse it rather than write a wrong value.
        if (Number.isSafeInteger(v)) return BigInt(v);
        throw mismatch(col, v, 'number is not a safe integer (pass a bigint for values beyond 2^53)');
      }
      throw mismatch(col, v, 'expected a bigint or a safe integer number');
    case 'timestamp-ms': {
      const ms = v instanceof Date ? v.getTime() : typeof v === 'bigint' ? Number(v) : v;
      if (typeof ms === 'number' && Number.isInteger(ms) && Math.abs(ms) <= maxTimestampMs) return ms;
      throw mismatch(col, v, 'expected epoch milliseconds (integer number or bigint) or a valid Date');
    }
  }
}

/**
 * Projects a row onto the schema (extra properties are ignored) and validates every column.
 * Throws TributaryError('SINK_FAILED') naming the column, so the runtime's error policy
 * (fail / continue / dead-letter) decides what happens to the record; nothing is dropped silently.
 */
export function toValues(schema: Schema, row: unknown): Value[] {
  if (typeof row !== 'object' || row === null || Array.isArray(row)) {
    throw new TributaryError('SINK_FAILED', `sink row must be an object, got ${describe(row)}`);
  }
  const r = row as Record<string, unknown>;
  const out = new Array<Value>(schema.length);
  for (let i = 0; i < schema.length; i++) {
    const col = schema[i]!;
    out[i] = toValue(col, r[col.name]);
  }
  return out;
}

/** Rough encoded size of a row, used for the maxBytes rolling limit of Parquet files. */
export function estimateBytes(schema: Schema, values: readonly Value[]): number {
  let n = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === null || v === undefined) continue;
    if (typeof v === 'string') n += Buffer.byteLength(v) + 4;
    else if (typeof v === 'boolean') n += 1;
    else n += schema[i]!.type === 'int32' ? 4 : 8;
  }
  return n;
}
