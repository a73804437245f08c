/**
 * Every name Tributary derives for topics, groups and ids it owns, in one place: changing one here
 * changes it everywhere, and a reader finds what a topic on the broker belongs to.
 */

/** A task runs one sub-topology for one partition: `<subtopology>_<partition>`, as in Kafka Streams. */
export function taskIdOf(subtopologyId: number, partition: number): string {
  return `${subtopologyId}_${partition}`;
}

/** A store's compacted changelog topic. */
export function changelogTopicName(applicationId: string, storeName: string): string {
  return `${applicationId}-${storeName}-changelog`;
}

/** A repartition topic the topology writes and reads itself. */
export function repartitionTopicName(applicationId: string, name: string): string {
  return `${applicationId}-${name}-repartition`;
}

/** The same, where the application id is not known yet (describe(), error messages). */
export function repartitionTopicLabel(name: string): string {
  return repartitionTopicName('<app>', name);
}

/** Exactly-once: one transactional id per task, so a new owner's init fences the old one. */
export function transactionalIdOf(applicationId: string, taskId: string): string {
  return `${applicationId}-${taskId}`;
}

/** The consumer group of the global-table readers. */
export function globalGroupIdOf(applicationId: string): string {
  return `${applicationId}-global`;
}

/** The dead-letter topic of a source topic when the policy names none. */
export function defaultDeadLetterTopic(sourceTopic: string): string {
  return `${sourceTopic}-dlq`;
}

/**
 * A foreign-key join's two internal topics, as repartition-topic names (so the full topic is
 * `<applicationId>-<name>-subscription-registration-repartition`, `...-subscription-response-...`).
 */
export function foreignKeyJoinTopicNames(joinName: string): { subscription: string; response: string } {
  return {
    subscription: `${joinName}-subscription-registration`,
    response: `${joinName}-subscription-response`,
  };
}

/** The compacted topic where instances advertise their query server and tasks. */
export function instancesTopicName(applicationId: string): string {
  return `${applicationId}-instances`;
}

/** The group (prefix) of the instances topic's readers, as globalGroupIdOf for global tables. */
export function instancesGroupIdOf(applicationId: string): string {
  return `${applicationId}-instances`;
}

/** The sub-topology a task id (`<subtopology>_<partition>`) belongs to. */
export function subtopologyOfTask(taskId: string): number {
  return Number(taskId.slice(0, taskId.indexOf('_')));
}
