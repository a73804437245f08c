/** Readers of the app's output shared by the integration tests (not part of the app). */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { ConsumedRecord } from '@tributary/testkit';
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
