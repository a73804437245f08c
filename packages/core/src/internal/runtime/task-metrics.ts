import type { ActiveTask } from './active-task.js';

/** Adds a task's counters (errors, skips, unrouted late records, watermark records) into `into`. */
export function addTaskCounters(into: Record<string, number>, task: ActiveTask): void {
  for (const [k, v] of Object.entries(task.stream.counters)) into[k] = (into[k] ?? 0) + v;
  into.lateRecordsUnrouted = (into.lateRecordsUnrouted ?? 0) + task.stream.lateRecordsUnrouted;
  into.watermarkRecordsSent = (into.watermarkRecordsSent ?? 0) + task.stream.eventClock.recordsSent;
}

/** The instance's counters: those of closed tasks (`retired`), of the live ones, and records processed. */
export function instanceCounters(
  retired: Readonly<Record<string, number>>,
  live: Iterable<ActiveTask>,
  processed: number,
): Record<string, number> {
  const m: Record<string, number> = {
    lateRecordsUnrouted: 0,
    watermarkRecordsSent: 0,
    ...retired,
    processed,
  };
  for (const t of live) addTaskCounters(m, t);
  return m;
}
