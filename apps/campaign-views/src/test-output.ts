/**
 * Readers of the app's Parquet output, shared by the integration tests and the bench (not part of the
 * app itself): the one way the repository reads these files back, with DuckDB.
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import type { ConsumedRecord } from '@tributary/testkit';
import type { BannerSession } from './sessions.js';
import type { CampaignMinute } from './topology.js';

/** Published Parquet files under `dir`: hidden files and `.tmp` files of open transactions excluded. */
export async function listParquet(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string) => {
    for (const e of await readdir(d, { withFileTypes: true }).catch(() => [])) {
      if (e.isDirectory()) await walk(join(d, e.name));
      else if (e.name.endsWith('.parquet') && !e.name.startsWith('.')) out.push(join(d, e.name));
    }
  };
  await walk(dir);
  return out;
}

/** One row of the Parquet output (the topology's output row), with the file it was read from. */
export interface ParquetRow extends CampaignMinute {
  filename: string;
}

const sqlList = (files: readonly string[]) => files.map((f) => `'${f.replaceAll("'", "''")}'`).join(', ');

/** Rows per file (from the Parquet footers), for polling an output directory cheaply. */
export async function countParquetRows(files: readonly string[]): Promise<Map<string, number>> {
  const counts = new Map(files.map((f) => [f, 0]));
  if (files.length === 0) return counts;
  const db = await (await DuckDBInstance.create(':memory:')).connect();
  try {
    const reader = await db.runAndReadAll(
      `SELECT file_name, num_rows FROM parquet_file_metadata([${sqlList(files)}])`,
    );
    for (const r of reader.getRowObjectsJS()) counts.set(String(r.file_name), Number(r.num_rows));
    return counts;
  } finally {
    db.closeSync();
  }
}

/** Every row of the published Parquet files under `dir`, read back with DuckDB. */
export async function readParquetRows(dir: string): Promise<ParquetRow[]> {
  const files = await listParquet(dir);
  if (files.length === 0) return [];
  const db = await (await DuckDBInstance.create(':memory:')).connect();
  try {
    const reader = await db.runAndReadAll(
      `SELECT campaign_id, network_id, campaign_name, epoch_ms(minute_timestamp) AS minute_timestamp,
              view_count, avg_duration, filename
       FROM read_parquet([${sqlList(files)}], hive_partitioning = false, filename = true)`,
    );
    return reader.getRowObjectsJS().map((r) => ({
      campaign_id: Number(r.campaign_id),
      network_id: r.network_id === null ? null : Number(r.network_id),
      campaign_name: (r.campaign_name as string | null) ?? null,
      minute_timestamp: Number(r.minute_timestamp),
      view_count: Number(r.view_count),
      avg_duration: Number(r.avg_duration),
      filename: String(r.filename),
    }));
  } finally {
    db.closeSync();
  }
}

/** The view counts of output-topic records per key (`campaign@minuteStart`), in arrival order. */
export function countsByKey(records: readonly ConsumedRecord[]): Map<string, number[]> {
  const rows = new Map<string, number[]>();
  for (const r of records) {
    const k = r.key?.toString() ?? '';
    const list = rows.get(k) ?? [];
    list.push((JSON.parse(r.value?.toString() ?? '{}') as CampaignMinute).view_count);
    rows.set(k, list);
  }
  return rows;
}

/** One row of the sessions Parquet output, with the file it was read from. */
export interface SessionParquetRow extends BannerSession {
  filename: string;
}

/** Every row of the published sessions Parquet files under `dir`, read back with DuckDB. */
export async function readSessionRows(dir: string): Promise<SessionParquetRow[]> {
  const files = await listParquet(dir);
  if (files.length === 0) return [];
  const db = await (await DuckDBInstance.create(':memory:')).connect();
  try {
    const reader = await db.runAndReadAll(
      `SELECT banner_id, epoch_ms(session_start) AS session_start, epoch_ms(session_end) AS session_end,
              view_count, total_duration_s, filename
       FROM read_parquet([${sqlList(files)}], hive_partitioning = false, filename = true)`,
    );
    return reader.getRowObjectsJS().map((r) => ({
      banner_id: Number(r.banner_id),
      session_start: Number(r.session_start),
      session_end: Number(r.session_end),
      view_count: Number(r.view_count),
      total_duration_s: Number(r.total_duration_s),
      filename: String(r.filename),
    }));
  } finally {
    db.closeSync();
  }
}
