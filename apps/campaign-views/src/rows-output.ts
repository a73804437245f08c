import { type KStream, Serdes, type Sink } from '@tributary/core';
import { parquetSink, partitionFormats, type Schema } from '@tributary/sinks';

/** Where a per-(campaign, minute) app writes its rows: Parquet (the apps), a JSON topic (bench), or any sink. */
export type RowsOutput<R> =
  | { kind: 'parquet'; dir: string }
  | { kind: 'topic'; topic: string }
  | { kind: 'sink'; sink: Sink<string, R> };

/**
 * Writes rows keyed `campaign@minuteStart` to the chosen output; Parquet files are partitioned by
 * network_id and minute, as campaign-views and campaign-ctr both publish them.
 */
export function writeMinuteRows<R>(
  rows: KStream<string, R>,
  output: RowsOutput<R>,
  parquet: { name: string; schema: Schema },
): void {
  if (output.kind === 'topic') {
    rows.to(output.topic, {
      name: 'to-output-topic',
      keySerde: Serdes.string(),
      valueSerde: Serdes.json<R>(),
    });
    return;
  }
  const sink =
    output.kind === 'sink'
      ? output.sink
      : parquetSink<string, R>({
          name: parquet.name,
          path: output.dir,
          schema: [...parquet.schema],
          partitionBy: ['network_id', 'minute_timestamp'],
          partitionFormat: { minute_timestamp: partitionFormats.minute },
          rolling: { maxRecords: 250_000 },
        });
  rows.sink(sink, { name: 'parquet-by-network-and-minute' });
}
