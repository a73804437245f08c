import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { parseCsv } from './csv.js';
import type { GeneratedEvent } from './producer.js';

// What the archive's tests compare: its rows as [id, ts, value, source, lat, lon, device, day].

export type ArchiveRow = [
  id: string,
  ts: number,
  value: unknown,
  source: unknown,
  lat: unknown,
  lon: unknown,
  device: unknown,
  dt: string,
];

const byId = (a: ArchiveRow, b: ArchiveRow) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);

/** Expected rows straight from the generator's own values and intended event time, sorted by id. */
export function expectedRows(events: readonly GeneratedEvent[]): ArchiveRow[] {
  return events
    .map((e): ArchiveRow => {
      const v = e.value;
      const day = new Date(e.tsMs).toISOString().slice(0, 10);
      return [
        e.key,
        e.tsMs,
        v.value ?? null,
        v.source ?? null,
        v.lat ?? null,
        v.lon ?? null,
        v.device_id ?? null,
        day,
      ];
    })
    .sort(byId);
}

export async function listFiles(root: string, ext: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile() && e.name.endsWith(ext)).map((e) => join(e.parentPath, e.name));
}

/**
 * The CSV archive under `out`, parsed as text (its header checked), sorted by id; the day comes from
 * each file's `dt=` directory. `perFile` holds the row count of each file.
 */
export async function readCsvRows(
  out: string,
): Promise<{ rows: ArchiveRow[]; perFile: Map<string, number> }> {
  const rows: ArchiveRow[] = [];
  const perFile = new Map<string, number>();
  const num = (s: string | null | undefined) => (s === null || s === undefined ? null : Number(s));
  for (const file of await listFiles(join(out, 'csv'), '.csv')) {
    const [header, ...lines] = parseCsv(await readFile(file, 'utf8'));
    if (header?.join(',') !== 'event_id,ts,value,source,lat,lon,device_id')
      throw new Error(`${file}: unexpected header ${JSON.stringify(header)}`);
    const dt = /dt=(\d{4}-\d{2}-\d{2})/.exec(relative(out, file))?.[1] ?? '';
    perFile.set(file, lines.length);
    for (const r of lines)
      rows.push([
        r[0] ?? '',
        Date.parse(r[1] ?? ''),
        num(r[2]),
        r[3] ?? null,
        num(r[4]),
        num(r[5]),
        r[6] ?? null,
        dt,
      ]);
  }
  return { rows: rows.sort(byId), perFile };
}
