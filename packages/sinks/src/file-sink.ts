import type {
  OffsetRange,
  RecordMetadata,
  Sink,
  SinkTask,
  SinkTaskContext,
  StreamRecord,
} from '@tributary/core';
import { TributaryError } from '@tributary/core';
import { Committer } from './committer.js';
import { type PartitionFormatter, PartitionPath } from './partition-path.js';
import { RollingFiles, type RollingLimits, type RollingOptions, rollingLimits } from './rolling.js';
import { type Row, type Schema, toValues, type Value, validateSchema } from './schema.js';

/** Options shared by the Parquet and CSV sinks. */
export interface FileSinkOptions<K, V> {
  /** Durable sink name (shown in topology.describe()). */
  readonly name: string;
  /** Root directory; partition directories and files go below it. */
  readonly path: string;
  readonly schema: Schema;
  /** Hive-style partition columns, outermost first: `a=x/b=y/`. */
  readonly partitionBy?: readonly string[];
  /** Per-column path text, e.g. `{ minute_timestamp: partitionFormats.minute }`. */
  readonly partitionFormat?: Readonly<Record<string, PartitionFormatter>>;
  /**
   * Whether partition columns are also written inside each file (default true). Keeping them lets
   * a reader get typed values (a timestamp rather than the directory's text); DuckDB with
   * `hive_partitioning=true` then takes the directory value for a same-named column, no conflict.
   */
  readonly partitionColumnsInFile?: boolean;
  /** Record -> row; default `record.value`. */
  readonly row?: (record: StreamRecord<K, V>) => Row;
  readonly rolling?: RollingOptions;
  /** fsync files before rename and directories after (default true). */
  readonly durable?: boolean;
}

/** How rows become file content; one implementation per file format. */
export interface FileFormat<R> {
  readonly extension: string;
  /** Bytes of an empty file's preamble (a CSV header). */
  readonly baseBytes: number;
  /** Encodes the file columns of one row; returns the encoded row and its size for maxBytes. */
  encode(values: readonly Value[]): { row: R; bytes: number };
  serialize(rows: R[]): Uint8Array;
}

export interface ResolvedFileSink<K, V> {
  readonly options: FileSinkOptions<K, V>;
  readonly partitions: PartitionPath;
  readonly limits: RollingLimits;
  /** Indexes of the schema columns written into files. */
  readonly fileColumns: readonly number[];
}

export function resolveFileSink<K, V>(options: FileSinkOptions<K, V>): ResolvedFileSink<K, V> {
  if (typeof options.name !== 'string' || options.name === '') {
    throw new TributaryError('CONFIG_INVALID', 'sink name is required');
  }
  if (typeof options.path !== 'string' || options.path === '') {
    throw new TributaryError('CONFIG_INVALID', `sink "${options.name}": path is required`);
  }
  validateSchema(options.schema);
  const partitionBy = options.partitionBy ?? [];
  const partitions = new PartitionPath(options.schema, partitionBy, options.partitionFormat ?? {});
  const keep = options.partitionColumnsInFile ?? true;
  const fileColumns = options.schema.flatMap((c, i) => (keep || !partitionBy.includes(c.name) ? [i] : []));
  if (fileColumns.length === 0) {
    throw new TributaryError('CONFIG_INVALID', `sink "${options.name}": no columns left for the files`);
  }
  return { options, partitions, limits: rollingLimits(options.rolling), fileColumns };
}

/** A file sink's task: buffers rows per partition directory, writes them out at commit. */
export class FileSinkTask<K, V, R> implements SinkTask<K, V> {
  private readonly files: RollingFiles<R, Uint8Array>;
  private readonly committer: Committer;
  private readonly rowOf: (record: StreamRecord<K, V>) => Row;
  private readonly project: (values: Value[]) => Value[];

  constructor(
    private readonly sink: ResolvedFileSink<K, V>,
    private readonly format: FileFormat<R>,
    private readonly ctx: SinkTaskContext,
  ) {
    const { options, fileColumns } = sink;
    this.rowOf = options.row ?? ((r) => r.value as Row);
    this.project =
      fileColumns.length === options.schema.length ? (v) => v : (v) => fileColumns.map((i) => v[i] ?? null);
    this.committer = new Committer(
      options.path,
      ctx.taskId,
      format.extension,
      options.durable ?? true,
      ctx.logger,
    );
    this.files = new RollingFiles(sink.limits, {
      baseBytes: format.baseBytes,
      finalize: (_dir, rows) => format.serialize(rows),
      onRolled: () => ctx.requestCommit(),
      now: () => ctx.clock.now(),
    });
  }

  recover() {
    return this.committer.recover(this.ctx.committedOffsets);
  }

  write(record: StreamRecord<K, V>, _metadata: RecordMetadata | undefined): void {
    const row = this.rowOf(record);
    const values = toValues(this.sink.options.schema, row);
    const dir = this.sink.partitions.dirOf(values, row);
    const { row: encoded, bytes } = this.format.encode(this.project(values));
    this.files.add(dir, encoded, bytes);
  }

  tick(now: number): void {
    this.files.tick(now);
  }

  async prepare(ranges: readonly OffsetRange[]): Promise<void> {
    const closed = this.files.drain();
    await this.committer.prepare(
      closed.map((f) => ({ dir: f.dir, content: f.content })),
      ranges,
      this.ctx.clock.now(),
    );
  }

  async publish(): Promise<void> {
    await this.committer.publish();
  }

  /** Drops prepared files and everything buffered since the last publish. */
  async abort(): Promise<void> {
    this.files.clear();
    await this.committer.abort();
  }

  async close(): Promise<void> {
    const dropped = this.files.clear();
    const prepared = this.committer.preparedCount;
    if (dropped > 0 || prepared > 0) {
      this.ctx.logger.warn('sink closed with uncommitted data; it is replayed from the committed offsets', {
        sink: this.sink.options.name,
        task: this.ctx.taskId,
        droppedRows: dropped,
        unpublishedFiles: prepared,
      });
    }
    await this.committer.abort();
  }
}

/** The Sink object handed to `stream.sink(...)`; one task per stream task. */
export class FileSink<K, V, R> implements Sink<K, V> {
  readonly name: string;
  private readonly resolved: ResolvedFileSink<K, V>;

  constructor(
    private readonly kind: string,
    options: FileSinkOptions<K, V>,
    private readonly formatFor: (resolved: ResolvedFileSink<K, V>) => FileFormat<R>,
  ) {
    this.resolved = resolveFileSink(options);
    this.name = options.name;
    // Fail at construction, not at the first commit, if the format rejects the options.
    formatFor(this.resolved);
  }

  describe(): string {
    const by = this.resolved.options.partitionBy ?? [];
    return `${this.kind}:${this.resolved.options.path}${by.length ? ` partitionBy=${by.join(',')}` : ''}`;
  }

  async openTask(ctx: SinkTaskContext): Promise<SinkTask<K, V>> {
    const task = new FileSinkTask(this.resolved, this.formatFor(this.resolved), ctx);
    await task.recover();
    return task;
  }
}
