import { readFile } from 'node:fs/promises';

export interface Campaign {
  readonly network_id: number;
  readonly campaign_id: number;
  readonly campaign_name: string;
}

/** Splits RFC 4180 CSV text into rows of fields (quoted fields may hold commas, quotes and newlines). */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"' && field === '') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  if (quoted) throw new Error('campaigns CSV: unterminated quoted field');
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows.filter((r) => r.length > 1 || r[0] !== '');
}

/** Reads `network_id,campaign_id,campaign_name` rows; any malformed line is an error with its line number. */
export function parseCampaigns(text: string): Campaign[] {
  const [header, ...rows] = parseCsv(text);
  if (header?.join(',') !== 'network_id,campaign_id,campaign_name') {
    throw new Error(
      `campaigns CSV: expected header network_id,campaign_id,campaign_name, got ${header?.join(',')}`,
    );
  }
  return rows.map((r, i) => {
    const [network, campaign, name] = r;
    const network_id = Number(network);
    const campaign_id = Number(campaign);
    if (
      r.length !== 3 ||
      !Number.isSafeInteger(network_id) ||
      !Number.isSafeInteger(campaign_id) ||
      name === undefined
    ) {
      throw new Error(`campaigns CSV line ${i + 2}: expected network_id,campaign_id,campaign_name`);
    }
    return { network_id, campaign_id, campaign_name: name };
  });
}

export async function readCampaigns(path: string): Promise<Campaign[]> {
  return parseCampaigns(await readFile(path, 'utf8'));
}

export const DEFAULT_CAMPAIGNS_CSV = new URL('../data/campaigns.csv', import.meta.url).pathname;
