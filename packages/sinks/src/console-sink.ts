import type {
  OffsetRange,
  RecordMetadata,
  Sink,
  SinkTask,
  SinkTaskContext,
  StreamRecord,
} from '@tributary/core';
import { TributaryError } from '@tributary/core';

/** Where console output goes; `process.stdout` by default, any writer in tests. */
export interface ConsoleOutput {
  write(chunk: string): unknown;
  readonly isTTY?: boolean;
}

export interface ConsoleSinkOptions<K, V> {
  readonly name?: string;
  /** 'append' prints each committed record; 'table' shows the latest value per key. */
  readonly mode?: 'append' | 'table';
  readonly output?: ConsoleOutput;
  /** Append mode: one line per record (default `key<TAB>value` as JSON). */
  readonly format?: (record: StreamRecord<K, V>) => string;
  /** Table mode: the cells of a key's row (default `key` plus the value's fields, or `value`). */
  readonly columns?: (key: K, value: V) => Record<string, unknown>;
  /** Table mode: minimum ms between re-renders (default 1000). */
  readonly refreshMs?: number;
  /** Table mode: a line printed above the table. */
  readonly title?: string;
}

export function toText(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  if (v instanceof Date) return v.toISOString();
  if (typeof v === 'object') return json(v);
  return String(v);
}

function json(v: unknown): string {
  return JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? x.toString() : x)) ?? String(v);
}

function defaultColumns(key: unknown, value: unknown): Record<string, unknown> {
  if (typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date)) {
    return { key, ...(value as Record<string, unknown>) };
  }
  return { key, value };
}

/** Renders rows as an aligned text table; column order is first appearance. */
export function renderTable(rows: readonly Record<string, unknown>[]): string {
  const names: string[] = [];
  for (const r of rows) for (const n of Object.keys(r)) if (!names.includes(n)) names.push(n);
  const cells = rows.map((r) => names.map((n) => toText(r[n]).replace(/[\r\n]+/g, ' ')));
  const widths = names.map((n, i) => Math.max(n.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: readonly string[]) => `${c.map((s, i) => s.padEnd(widths[i]!)).join(' | ')}`.trimEnd();
  const rule = widths.map((w) => '-'.repeat(w)).join('-+-');
  return [line(names), rule, ...cells.map(line)].join('\n') + '\n';
}

interface TableRow {
  readonly owner: string;
  readonly cells: Record<string, unknown>;
}

/** State shared by all tasks of one console sink, so the table shows every partition of a KTable. */
class ConsoleState<K, V> {
  readonly table = new Map<string, TableRow>();
  private dirty = false;
  private lastRender = Number.NEGATIVE_INFINITY;

  constructor(readonly options: ConsoleSinkOptions<K, V>) {}

  get output(): ConsoleOutput {
    return this.options.output ?? process.stdout;
  }

  apply(owner: string, records: readonly StreamRecord<K, V>[]): void {
    const columns = this.options.columns ?? defaultColumns;
    for (const r of records) {
      const id = json(r.key);
      if (r.value === null || r.value === undefined) this.table.delete(id);
      else this.table.set(id, { owner, cells: columns(r.key, r.value) });
    }
    if (records.length > 0) this.dirty = true;
  }

  dropOwner(owner: string): void {
    for (const [id, row] of this.table) if (row.owner === owner) this.table.delete(id);
  }

  maybeRender(now: number, force = false): void {
    if (!this.dirty) return;
    if (!force && now - this.lastRender < (this.options.refreshMs ?? 1000)) return;
    this.dirty = false;
    this.lastRender = now;
    const rows = [...this.table.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([, r]) => r.cells);
    const out = this.output;
    // On a terminal, clear and redraw in place; otherwise (pipes, files, CI logs) print again.
    const clear = out.isTTY ? '\x1b[2J\x1b[H' : '';
    const title = this.options.title ? `${this.options.title}\n` : '';
    out.write(clear + title + renderTable(rows) + (out.isTTY ? '' : '\n'));
  }
}

class ConsoleTask<K, V> implements SinkTask<K, V> {
  private pending: StreamRecord<K, V>[] = [];
  private prepared: StreamRecord<K, V>[] = [];

  constructor(
    private readonly state: ConsoleState<K, V>,
    private readonly ctx: SinkTaskContext,
  ) {}

  write(record: StreamRecord<K, V>, _metadata: RecordMetadata | undefined): void {
    this.pending.push(record);
  }

  async prepare(_ranges: readonly OffsetRange[]): Promise<void> {
    for (const r of this.pending) this.prepared.push(r);
    this.pending = [];
  }

  /** Output happens here, so what is printed matches what was committed. */
  async publish(): Promise<void> {
    const records = this.prepared;
    this.prepared = [];
    const { options } = this.state;
    if (options.mode === 'table') {
      this.state.apply(this.ctx.taskId, records);
      this.state.maybeRender(this.ctx.clock.now());
      return;
    }
    if (records.length === 0) return;
    const format = options.format ?? ((r: StreamRecord<K, V>) => `${toText(r.key)}\t${json(r.value)}`);
    this.state.output.write(records.map((r) => `${format(r)}\n`).join(''));
  }

  async abort(): Promise<void> {
    this.pending = [];
    this.prepared = [];
  }

  tick(now: number): void {
    if (this.state.options.mode === 'table') this.state.maybeRender(now);
  }

  async close(): Promise<void> {
    this.pending = [];
    this.prepared = [];
    if (this.state.options.mode === 'table') {
      // Show the final state once; the partition's keys then belong to whoever owns it next.
      this.state.maybeRender(this.ctx.clock.now(), true);
      this.state.dropOwner(this.ctx.taskId);
    }
  }
}

/** Prints committed records (append) or a refreshing latest-value-per-key table (table). */
export function consoleSink<K, V>(options: ConsoleSinkOptions<K, V> = {}): Sink<K, V> {
  const mode = options.mode ?? 'append';
  if (mode !== 'append' && mode !== 'table') {
    throw new TributaryError(
      'CONFIG_INVALID',
      `console sink mode must be append or table, got ${String(mode)}`,
    );
  }
  const refresh = options.refreshMs ?? 1000;
  if (!Number.isFinite(refresh) || refresh < 0) {
    throw new TributaryError('CONFIG_INVALID', `console sink refreshMs must be >= 0, got ${refresh}`);
  }
  const state = new ConsoleState<K, V>({ ...options, mode });
  const name = options.name ?? 'console';
  return {
    name,
    describe: () => `console:${mode}`,
    openTask: async (ctx) => new ConsoleTask(state, ctx),
  };
}
