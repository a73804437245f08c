import type { ActiveTask } from './active-task.js';

/** Adds a task's counters (errors, skips, unrouted late records, watermark records) into `into`. */
export function addTaskCounters(into: Record<string, number>, task: ActiveTask): void {
  for (const [k, v] of Object.entries(task.stream.counters)) into[k] = (into[k] ?? 0) + v;
  into.lateRecordsUnrouted = (into.lateRecordsUnrouted ?? 0) + task.stream.lateRecordsUnrouted;
  into.watermarkRecordsSent = (into.watermarkRecordsSent ?? 0) + task.stream.watermarkRecordsSent;
}
