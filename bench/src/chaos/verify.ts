/**
 * Ground truth and output check of the chaos harness: per (campaign, minute) count and mean duration
 * computed straight from the generated JSON (not through the topology's code), compared with every row
 * of the Parquet output read back with DuckDB.
 */
import { readdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import type { Campaign, Truth } from '@tributary/app-campaign-views';
import { type ParquetRow, readParquetRows } from '@tributary/app-campaign-views/test-output';

export { groundTruth, type Truth } from '@tributary/app-campaign-views';

/** A Parquet row with its file name relative to the output dir. */
export type Row = ParquetRow;

export async function listFiles(dir: string): Promise<{ parquet: string[]; tmp: string[]; other: string[] }> {
  const out = { parquet: [] as string[], tmp: [] as string[], other: [] as string[] };
  const walk = async (d: string) => {
    for (const e of await readdir(d, { withFileTypes: true }).catch(() => [])) {
      const p = join(d, e.name);
      if (e.isDirectory()) await walk(p);
      else if (e.name.endsWith('.tmp')) out.tmp.push(p);
      else if (e.name.endsWith('.parquet') && !e.name.startsWith('.')) out.parquet.push(p);
      else out.other.push(p);
    }
  };
  await walk(dir);
  return out;
}

/** Every row of the published Parquet files (the app tests' reader), file names relative to `outputDir`. */
export async function readRows(outputDir: string): Promise<Row[]> {
  return (await readParquetRows(outputDir)).map((r) => ({ ...r, filename: relative(outputDir, r.filename) }));
}

export interface Comparison {
  ok: boolean;
  truthRows: number;
  outputRows: number;
  duplicates: { key: string; rows: Row[] }[];
  missing: Truth[];
  unexpected: Row[];
  wrong: { key: string; row: Row; truth: Truth; why: string }[];
}

const iso = (ms: number) => new Date(ms).toISOString().slice(0, 16);

export function compare(
  truth: Map<string, Truth>,
  rows: readonly Row[],
  campaigns: readonly Campaign[],
): Comparison {
  const byId = new Map(campaigns.map((c) => [c.campaign_id, c]));
  const byKey = new Map<string, Row[]>();
  for (const r of rows) {
    const k = `${r.campaign_id}@${r.minute_timestamp}`;
    const list = byKey.get(k) ?? [];
    list.push(r);
    byKey.set(k, list);
  }
  const c: Comparison = {
    ok: false,
    truthRows: truth.size,
    outputRows: rows.length,
    duplicates: [],
    missing: [],
    unexpected: [],
    wrong: [],
  };
  for (const [k, list] of byKey) {
    if (list.length > 1) c.duplicates.push({ key: k, rows: list });
    const t = truth.get(k);
    if (!t) {
      c.unexpected.push(...list);
      continue;
    }
    const row = list[0] as Row;
    const meta = byId.get(row.campaign_id);
    if (row.view_count !== t.count)
      c.wrong.push({ key: k, row, truth: t, why: `view_count ${row.view_count} != ${t.count}` });
    else if (Math.abs(row.avg_duration - t.durSum / t.count) > 1e-9)
      c.wrong.push({
        key: k,
        row,
        truth: t,
        why: `avg_duration ${row.avg_duration} != ${t.durSum / t.count}`,
      });
    else if (
      row.network_id !== (meta?.network_id ?? null) ||
      row.campaign_name !== (meta?.campaign_name ?? null)
    )
      c.wrong.push({
        key: k,
        row,
        truth: t,
        why: `campaign metadata ${row.network_id}/${row.campaign_name}`,
      });
  }
  for (const [k, t] of truth) if (!byKey.has(k)) c.missing.push(t);
  c.ok =
    c.duplicates.length === 0 && c.missing.length === 0 && c.unexpected.length === 0 && c.wrong.length === 0;
  return c;
}

/** A readable account of a failed comparison: counts, then examples with their files. */
export function describeFailure(c: Comparison): string {
  const lines: string[] = [];
  lines.push(
    `truth rows ${c.truthRows}, output rows ${c.outputRows}: ${c.duplicates.length} duplicated keys, ${c.missing.length} missing, ${c.unexpected.length} unexpected, ${c.wrong.length} wrong values`,
  );
  for (const d of c.duplicates.slice(0, 10))
    lines.push(
      `  duplicate ${d.key} (${iso(d.rows[0]?.minute_timestamp ?? 0)}): ${d.rows.map((r) => `${r.view_count} in ${r.filename}`).join(' | ')}`,
    );
  const missingByMinute = new Map<string, number>();
  for (const m of c.missing)
    missingByMinute.set(iso(m.minute), (missingByMinute.get(iso(m.minute)) ?? 0) + 1);
  if (c.missing.length > 0)
    lines.push(`  missing by minute: ${[...missingByMinute].map(([m, n]) => `${m}=${n}`).join(', ')}`);
  for (const m of c.missing.slice(0, 10))
    lines.push(`  missing ${m.campaign}@${iso(m.minute)} (count ${m.count})`);
  for (const u of c.unexpected.slice(0, 10))
    lines.push(
      `  unexpected ${u.campaign_id}@${iso(u.minute_timestamp)} count ${u.view_count} in ${u.filename}`,
    );
  for (const w of c.wrong.slice(0, 10)) lines.push(`  wrong ${w.key}: ${w.why} in ${w.row.filename}`);
  return lines.join('\n');
}
