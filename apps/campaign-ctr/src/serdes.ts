import { parseView, type View } from '@tributary/app-campaign-views';
import { Serdes } from '@tributary/core';
import { type Click, parseClick } from './click.js';

/**
 * Source serdes of the two logs: parsing and validation happen here, so a bad record fails at
 * deserialization and the error policy sends its original bytes to the DLQ. They write the contract's
 * shape back (epoch-ms timestamps), so what they write they read. Shared with the bench's join peer.
 */
export const viewSerde = Serdes.custom<View>(
  (v) =>
    Buffer.from(
      JSON.stringify({
        view_id: v.view_id,
        start_timestamp: v.start,
        end_timestamp: v.end,
        banner_id: v.banner_id,
        campaign_id: v.campaign_id,
      }),
    ),
  (b) => parseView(b.toString('utf8')),
);
export const clickSerde = Serdes.custom<Click>(
  (c) => Buffer.from(JSON.stringify({ click_id: c.click_id, view_id: c.view_id, click_timestamp: c.ts })),
  (b) => parseClick(b.toString('utf8')),
);
