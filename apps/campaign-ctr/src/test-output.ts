/** Reader of the app's Parquet output for the tests and the demo (not part of the app itself), with DuckDB. */

import { DuckDBInstance } from '@duckdb/node-api';
import type { Campaign } from '@tributary/app-campaign-views';
import { listParquet } from '@tributary/app-campaign-views/test-output';
import type { CtrTruth } from './ground-truth.js';
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

/** The rows the ground truth calls for, keyed `campaign@minute`, with the campaign's table fields. */
export function expectedCtrRows(
  truth: ReadonlyMap<string, CtrTruth>,
  campaigns: readonly Campaign[],
): Record<string, CampaignCtrMinute> {
  const byId = new Map(campaigns.map((c) => [c.campaign_id, c]));
  return Object.fromEntries(
    [...truth].map(([k, t]) => {
      const c = byId.get(t.campaign);
      return [
        k,
        {
          campaign_id: t.campaign,
          network_id: c?.network_id ?? null,
          campaign_name: c?.campaign_name ?? null,
          minute_timestamp: t.minute,
          view_count: t.views,
          clicked_view_count: t.clickedViews,
          click_count: t.clicks,
          ctr: t.clickedViews / t.views,
        },
      ];
    }),
  );
}
