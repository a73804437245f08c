import { viewSerde } from '@tributary/app-campaign-views';
import { Serdes } from '@tributary/core';
import { type Click, clickFromBytes } from './click.js';

/**
 * Source serdes of the two logs: parsing and validation happen here, so a bad record fails at
 * deserialization and the error policy sends its original bytes to the DLQ. They write the contract's
 * shape back (epoch-ms timestamps), so what they write they read. The view log's is campaign-views';
 * both are shared with the bench's join peer.
 */
export { viewSerde };
export const clickSerde = Serdes.custom<Click>(
  (c) => Buffer.from(JSON.stringify({ click_id: c.click_id, view_id: c.view_id, click_timestamp: c.ts })),
  clickFromBytes,
);
