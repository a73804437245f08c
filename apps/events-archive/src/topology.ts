import { join } from 'node:path';
import { Serdes, StreamsBuilder, type Topology } from '@tributary/core';
import { csvSink, formatDay, parquetSink, type RollingOptions, type Schema } from '@tributary/sinks';
import { type ArchivedEvent, parseEvent } from './event.js';

export interface ArchiveTopologyOptions {
  /** Input topic (default `events`). */
  inputTopic?: string;
  /** Root directory: Parquet goes to `<output>/parquet/dt=.../`, CSV to `<output>/csv/dt=.../`. */
  outputDir: string;
  /** File rolling, the same for both formats (files also end at every commit). */
  rolling?: RollingOptions;
  /** Which archives to write (default both). */
  formats?: readonly ('parquet' | 'csv')[];
}

export const EVENT_SCHEMA: Schema = [
  { name: 'event_id', type: 'string' },
  { name: 'ts', type: 'timestamp-ms' },
  { name: 'value', type: 'double', nullable: true },
  { name: 'source', type: 'string', nullable: true },
  { name: 'lat', type: 'double', nullable: true },
  { name: 'lon', type: 'double', nullable: true },
  { name: 'device_id', type: 'string', nullable: true },
];

// `dt` is derived (not a schema column), so it exists only in the path: `dt=2025-11-06`, the UTC
// day of the event time, as Spark/Hive archives are laid out.
const partitioning = {
  partitionBy: ['dt'],
  partitionFormat: {
    dt: (_: unknown, row: Readonly<Record<string, unknown>>) => formatDay(row.ts as number),
  },
} as const;

/**
 * events -> validate/normalize -> Parquet + CSV by day. Bad JSON fails in the source serde (DLQ stage
 * `deserialization`); JSON that is not an accepted event throws in `validate` (stage `processing`).
 */
export function buildTopology(opts: ArchiveTopologyOptions): Topology {
  const builder = new StreamsBuilder();
  const events = builder
    .stream<string | null, unknown>(opts.inputTopic ?? 'events', {
      keySerde: Serdes.string(),
      valueSerde: Serdes.json<unknown>(),
      name: 'events-source',
    })
    .mapValues((v): ArchivedEvent => parseEvent(v), { name: 'validate' });
  const formats = opts.formats ?? ['parquet', 'csv'];
  const common = {
    schema: EVENT_SCHEMA,
    ...partitioning,
    ...(opts.rolling ? { rolling: opts.rolling } : {}),
  };
  if (formats.includes('parquet')) {
    events.sink(
      parquetSink<string | null, ArchivedEvent>({
        ...common,
        name: 'events-parquet',
        path: join(opts.outputDir, 'parquet'),
      }),
    );
  }
  if (formats.includes('csv')) {
    events.sink(
      csvSink<string | null, ArchivedEvent>({
        ...common,
        name: 'events-csv',
        path: join(opts.outputDir, 'csv'),
      }),
    );
  }
  return builder.build();
}
