import { TributaryError } from '@tributary/core';
import { ByteWriter, parquetWrite, type SchemaElement } from 'hyparquet-writer';
import { type FileFormat, FileSink, type FileSinkOptions, type ResolvedFileSink } from './file-sink.js';
import { type Column, estimateBytes, type Value } from './schema.js';

export type ParquetCompression = 'SNAPPY' | 'UNCOMPRESSED';

export interface ParquetSinkOptions<K, V> extends FileSinkOptions<K, V> {
  /** Default 'SNAPPY'. */
  readonly compression?: ParquetCompression;
  /** Rows per row group (default 100000; a file usually is one row group). */
  readonly rowGroupSize?: number;
}

/** Parquet schema element for one column: exact INT64, TIMESTAMP(MILLIS, UTC), UTF8, OPTIONAL if nullable. */
export function parquetElement(col: Column): SchemaElement {
  const repetition_type = col.nullable ? 'OPTIONAL' : 'REQUIRED';
  const name = col.name;
  switch (col.type) {
    case 'string':
      return {
        name,
        repetition_type,
        type: 'BYTE_ARRAY',
        converted_type: 'UTF8',
        logical_type: { type: 'STRING' },
      };
    case 'int32':
      return { name, repetition_type, type: 'INT32' };
    case 'int64':
      return { name, repetition_type, type: 'INT64' };
    case 'double':
      return { name, repetition_type, type: 'DOUBLE' };
    case 'boolean':
      return { name, repetition_type, type: 'BOOLEAN' };
    case 'timestamp-ms':
      // The converted type is for old readers; it implies isAdjustedToUTC=true as well.
      return {
        name,
        repetition_type,
        type: 'INT64',
        converted_type: 'TIMESTAMP_MILLIS',
        logical_type: { type: 'TIMESTAMP', isAdjustedToUTC: true, unit: 'MILLIS' },
      };
  }
}

function parquetFormat<K, V>(
  resolved: ResolvedFileSink<K, V>,
  codec: ParquetCompression,
  rowGroupSize: number,
): FileFormat<Value[]> {
  const columns = resolved.fileColumns.map((i) => resolved.options.schema[i]!);
  const schema: SchemaElement[] = [
    { name: 'root', num_children: columns.length },
    ...columns.map(parquetElement),
  ];
  const isTimestamp = columns.map((c) => c.type === 'timestamp-ms');
  return {
    extension: 'parquet',
    baseBytes: 0,
    encode: (values) => ({ row: values as Value[], bytes: estimateBytes(columns, values) }),
    serialize(rows) {
      // Column-oriented input; timestamps are epoch-ms numbers in memory and INT64 in the file.
      const columnData = columns.map((col, j) => {
        const data = new Array<Value>(rows.length);
        for (let i = 0; i < rows.length; i++) {
          const v = rows[i]![j] ?? null;
          data[i] = isTimestamp[j] && typeof v === 'number' ? BigInt(v) : v;
        }
        return { name: col.name, data };
      });
      const writer = new ByteWriter();
      // Sync with an in-memory writer (hyparquet-writer's file writer uses blocking fs calls).
      const pending = parquetWrite({
        writer,
        schema,
        columnData,
        codec,
        rowGroupSize,
        createdBy: 'tributary',
      });
      if (pending) throw new Error('hyparquet-writer went async on an in-memory writer');
      return new Uint8Array(writer.getBuffer());
    },
  };
}

/**
 * Parquet files under `path`, Hive-partitioned, published atomically at each task commit.
 * `write()` throws TributaryError('SINK_FAILED') for a row that does not match the schema.
 */
export function parquetSink<K, V>(options: ParquetSinkOptions<K, V>): FileSink<K, V, Value[]> {
  const codec = options.compression ?? 'SNAPPY';
  if (codec !== 'SNAPPY' && codec !== 'UNCOMPRESSED') {
    throw new TributaryError(
      'CONFIG_INVALID',
      `parquet compression must be SNAPPY or UNCOMPRESSED, got ${codec}`,
    );
  }
  const rowGroupSize = options.rowGroupSize ?? 100_000;
  if (!Number.isInteger(rowGroupSize) || rowGroupSize <= 0) {
    throw new TributaryError(
      'CONFIG_INVALID',
      `rowGroupSize must be a positive integer, got ${rowGroupSize}`,
    );
  }
  return new FileSink('parquet', options, (resolved) => parquetFormat(resolved, codec, rowGroupSize));
}
