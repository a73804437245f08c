import { describe, expect, it } from 'vitest';
import { parseCampaigns } from './campaigns.js';
import { parseTimestamp, parseView } from './view.js';

describe('view-log parsing', () => {
  it('accepts the three timestamp forms of the contract', () => {
    const ms = Date.UTC(2025, 10, 6, 12, 30, 5);
    expect(parseTimestamp('2025-11-06T12:30:05Z')).toBe(ms);
    expect(parseTimestamp('2025-11-06 12:30:05')).toBe(ms); // no zone: UTC
    expect(parseTimestamp('2025-11-06T14:30:05+02:00')).toBe(ms);
    expect(parseTimestamp('2025-11-06T12:30:05.250Z')).toBe(ms + 250);
    expect(parseTimestamp(ms)).toBe(ms);
    for (const bad of ['yesterday', '2025-11-06', '', -5, 1.5, null, undefined, '2025-11-06T12:30']) {
      expect(parseTimestamp(bad)).toBeNaN();
    }
  });

  it('validates fields and explains what is wrong', () => {
    const ok = {
      view_id: 'v1',
      start_timestamp: '2025-11-06 12:30:05',
      end_timestamp: '2025-11-06 12:30:35',
      banner_id: 3,
      campaign_id: 17,
    };
    expect(parseView(JSON.stringify(ok))).toEqual({
      view_id: 'v1',
      start: Date.UTC(2025, 10, 6, 12, 30, 5),
      end: Date.UTC(2025, 10, 6, 12, 30, 35),
      banner_id: 3,
      campaign_id: 17,
    });
    const cases: [unknown, RegExp][] = [
      ['{"view_id":', /not valid JSON/],
      [[1, 2], /not a JSON object/],
      [{ ...ok, view_id: 5 }, /view_id/],
      [{ ...ok, campaign_id: '17' }, /campaign_id/],
      [{ ...ok, banner_id: 1.5 }, /banner_id/],
      [{ ...ok, start_timestamp: undefined }, /start_timestamp/],
      [{ ...ok, end_timestamp: '2025-11-06 12:30:00' }, /before start/],
    ];
    for (const [input, reason] of cases) {
      expect(() => parseView(typeof input === 'string' ? input : JSON.stringify(input))).toThrow(reason);
    }
  });
});

describe('campaigns CSV', () => {
  it('parses quoted names with commas and doubled quotes', () => {
    const rows = parseCampaigns(
      'network_id,campaign_id,campaign_name\n3,37,"Holiday, Launch 037"\n9,53,"Summer ""XL"""\r\n1,2,Plain\n',
    );
    expect(rows).toEqual([
      { network_id: 3, campaign_id: 37, campaign_name: 'Holiday, Launch 037' },
      { network_id: 9, campaign_id: 53, campaign_name: 'Summer "XL"' },
      { network_id: 1, campaign_id: 2, campaign_name: 'Plain' },
    ]);
  });

  it('rejects a wrong header or a malformed line with its line number', () => {
    expect(() => parseCampaigns('id,name\n1,x\n')).toThrow(/header/);
    expect(() => parseCampaigns('network_id,campaign_id,campaign_name\n1,x,y\n')).toThrow(/line 2/);
  });
});
