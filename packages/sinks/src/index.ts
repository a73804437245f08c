export { type ConsoleOutput, type ConsoleSinkOptions, consoleSink, renderTable } from './console-sink.js';
export { type CsvLineEnding, type CsvSinkOptions, csvField, csvSink, csvValue } from './csv-sink.js';
export { FileSink, type FileSinkOptions } from './file-sink.js';
export {
  type ParquetCompression,
  type ParquetSinkOptions,
  parquetElement,
  parquetSink,
} from './parquet-sink.js';
export {
  escapePathValue,
  formatDay,
  formatHour,
  formatMinute,
  HIVE_DEFAULT_PARTITION,
  type PartitionFormatter,
  partitionFormats,
} from './partition-path.js';
export type { RollingOptions } from './rolling.js';
export { type Column, type ColumnType, type Row, type Schema, toValues, type Value } from './schema.js';
