import { describe, expect, it } from 'vitest';
import { formatTable } from './demo-output.js';

describe('formatTable', () => {
  it('pads every column to its widest cell, header and missing cells included', () => {
    expect(
      formatTable(
        [
          { minute: '12:30', campaign: 'Spring, Sale', views: 1234 },
          { minute: '12:31', views: 7 },
        ],
        ['minute', 'campaign', 'views'],
      ),
    ).toEqual([
      'minute  campaign      views',
      '------  ------------  -----',
      '12:30   Spring, Sale  1234 ',
      '12:31                 7    ',
    ]);
  });
});
