/** Reader of the app's Parquet output for the tests and the demo (not part of the app itself), with DuckDB. */

import { DuckDBInstance } from '@duckdb/node-api';
import { listParquet } from '@tributary/app-campaign-views/test-output';
import type { CampaignCtrMinute } from './topology.js';

/** One row of the Parquet output, with the file it was read from. */
export interface CtrParquetRow extends CampaignCtrMinute {
  filename: string;
}

const num = (v: unknown) => (v === null ? null : Number(v));

/** Every row of the published Parquet files under `dir` (temp files of open transactions excluded). */
export async function readCtrParquetRows(dir: string): Promise<CtrParquetRow[]> {
  const files = await listParquet(dir);
  if (files.length === 0) return [];
  const db = await (await DuckDBInstance.create(':memory:')).connect();
  try {
    const list = files.map((f) => `'${f.replaceAll("'", "''")}'`).join(', ');
    const reader = await db.runAndReadAll(
      `SELECT campaign_id, network_id, campaign_name, epoch_ms(minute_timestamp) AS minute_timestamp,
              view_count, clicked_view_count, click_count, ctr, filename
       FROM read_parquet([${list}], hive_partitioning = false, filename = true)`,
    );
    return reader.getRowObjectsJS().map((r) => ({
      campaign_id: Number(r.campaign_id),
      network_id: num(r.network_id),
      campaign_name: (r.campaign_name as string | null) ?? null,
      minute_timestamp: Number(r.minute_timestamp),
      view_count: Number(r.view_count),
      clicked_view_count: Number(r.clicked_view_count),
      click_count: Number(r.click_count),
      ctr: num(r.ctr),
      filename: String(r.filename),
    }));
  } finally {
    db.closeSync();
  }
}
