import { parseTimestamp } from '@tributary/app-campaign-views';
import { Serdes } from '@tributary/core';

/** A validated click-log record. */
export interface Click {
  readonly click_id: string;
  /** The view the click was made on (the join key). */
  readonly view_id: string;
  /** Event time, epoch ms. */
  readonly ts: number;
}

/** Validates a parsed JSON value; throws with a reason that ends up in the DLQ header. */
export function toClick(raw: unknown): Click {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new Error('click is not a JSON object');
  const o = raw as Record<string, unknown>;
  if (typeof o.click_id !== 'string' || o.click_id === '')
    throw new Error('click_id must be a non-empty string');
  if (typeof o.view_id !== 'string' || o.view_id === '')
    throw new Error('view_id must be a non-empty string');
  // The same timestamp forms as the view log: ISO-8601, `YYYY-MM-DD HH:MM:SS` (UTC) or epoch ms.
  const ts = parseTimestamp(o.click_timestamp);
  if (Number.isNaN(ts)) throw new Error('click_timestamp is missing or not a valid timestamp');
  return { click_id: o.click_id, view_id: o.view_id, ts };
}

const CLICK_JSON = Serdes.json<unknown>();

/**
 * Bytes of a click-log record to a Click, through the core's strict JSON serde: invalid UTF-8, JSON
 * nested over 1000 levels and `__proto__` keys are refused too (a SERDE_ERROR -> the DLQ).
 */
export function clickFromBytes(bytes: Buffer): Click {
  return toClick(CLICK_JSON.deserialize(bytes));
}

/** Text of a click-log record to a Click; bad JSON and bad fields both throw (-> dead-letter topic). */
export function parseClick(text: string): Click {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new Error('value is not valid JSON');
  }
  return toClick(raw);
}
