/**
 * Window types shared by the DSL (`TimeWindows`, windowed tables) and the window processor, kept
 * here so internal/ does not depend on kstream/ for them.
 */

/**
 * A window's bounds in epoch ms. Start is inclusive; end is exclusive for time windows and inclusive
 * for session and sliding windows (as in Kafka Streams).
 */
export interface TimeWindow {
  readonly start: number;
  readonly end: number;
}

/** The key of a windowed aggregation result. */
export interface Windowed<K> {
  readonly key: K;
  readonly window: TimeWindow;
}
