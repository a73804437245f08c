import type { Processor, ProcessorContext, StreamRecord } from '@tributary/core';

/** What the minute windows count: a view (click_id null) or one click on a view, at the view's time. */
export interface CtrEvent {
  view_id: string;
  campaign_id: number;
  view_start: number;
  click_id: string | null;
}

/** The running figures of one (campaign, minute). */
export interface CtrAcc {
  views: number;
  clicks: number;
  /** Distinct views with a click: a view clicked twice is one clicked view (the CTR's numerator). */
  clicked: string[];
}

export const emptyCtrAcc = (): CtrAcc => ({ views: 0, clicks: 0, clicked: [] });

/** Adds one event; the clicked list only holds this minute's clicked views of one campaign, so it stays small. */
export function countEvent(e: CtrEvent, acc: CtrAcc): CtrAcc {
  if (e.click_id === null) return { ...acc, views: acc.views + 1 };
  const clicked = acc.clicked.includes(e.view_id) ? acc.clicked : [...acc.clicked, e.view_id];
  return { views: acc.views, clicks: acc.clicks + 1, clicked };
}

/** Forwards each event with its view's timestamp, so windowing puts a click in its view's minute. */
export const restampToView = (): Processor<string, CtrEvent, string, CtrEvent> => {
  let ctx: ProcessorContext<string, CtrEvent>;
  return {
    init(c) {
      ctx = c;
    },
    process(r: StreamRecord<string, CtrEvent>) {
      ctx.forward({ ...r, timestamp: r.value.view_start });
    },
  };
};
