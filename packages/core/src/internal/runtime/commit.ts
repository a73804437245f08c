import type { Clock } from '../../clock.js';
import type { ConsumerPort, OutgoingRecord, ProducedOffset, ProducerPort } from '../../kafka/ports.js';
import type { Logger } from '../../logger.js';
import type { ChangelogRecord } from '../../state/store.js';
import { type ActiveTask, settleSend } from './active-task.js';

export interface CommitDeps {
  readonly consumer: ConsumerPort;
  readonly sharedProducer: ProducerPort | undefined;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly reason: string;
}

function toOutgoing(records: readonly ChangelogRecord[]): OutgoingRecord[] {
  return records.map((r) => ({
    topic: r.topic,
    partition: r.partition,
    key: r.key,
    value: r.value,
    timestamp: r.timestamp,
    headers: {},
  }));
}

function nextOffsets(
  produced: readonly ProducedOffset[],
  task: ActiveTask,
  changelogTopics: ReadonlySet<string>,
): Map<string, bigint> {
  const out = new Map<string, bigint>();
  for (const p of produced) {
    if (p.partition !== task.partition || !changelogTopics.has(p.topic)) continue;
    const next = p.lastOffset + 1n;
    if (next > (out.get(p.topic) ?? -1n)) out.set(p.topic, next);
  }
  return out;
}

/**
 * The commit protocol, per task: sinks write pending files to temporary names -> caches
 * flush into stores -> changelog records are produced -> producer flush -> sink files are published ->
 * input offsets are committed -> the store checkpoint is written. Under exactly-once the changelog,
 * outputs and offsets go into the task's transaction, committed after the files are published (a
 * replay regenerates the same file names, and sinks drop files of uncommitted ranges on open).
 */
export async function commitTasks(tasks: readonly ActiveTask[], deps: CommitDeps): Promise<void> {
  const started = deps.clock.now();
  const work = tasks.filter(
    (t) =>
      t.stream.hasUncommitted() ||
      t.transaction !== undefined ||
      t.pendingSend !== undefined ||
      t.stores !== undefined ||
      t.outputs.length > 0,
  );
  if (work.length === 0) return;
  const changelogByTask = new Map<ActiveTask, ChangelogRecord[]>();
  for (const task of work) {
    const r = task.stream.uncommittedRanges();
    for (const s of task.sinks.values()) await s.prepare(r);
    changelogByTask.set(task, task.stores ? await task.stores.flush() : []);
  }

  if (deps.sharedProducer) {
    const all = work.flatMap((t) => changelogByTask.get(t) ?? []);
    const produced = await deps.sharedProducer.send(toOutgoing(all));
    for (const task of work) for (const s of task.sinks.values()) await s.publish();
    await deps.consumer.commit(work.flatMap((t) => t.stream.committableOffsets()));
    for (const task of work) {
      const topics = new Set((changelogByTask.get(task) ?? []).map((r) => r.topic));
      await task.stores?.checkpoint(nextOffsets(produced, task, topics));
      await finish(task);
    }
  } else {
    await commitTransactions(work, changelogByTask, deps);
  }
  deps.logger.debug('committed', { reason: deps.reason, tasks: work.length, ms: deps.clock.now() - started });
}

/**
 * Exactly-once: every task has its own producer and transaction, so their commits are independent
 * and go out together; each one's round-trips (changelog send, offsets, EndTxn) overlap the others'.
 * All of them settle before an error is thrown, so no commit is still in flight when the caller
 * closes tasks; the first failure in task order is the one reported.
 */
async function commitTransactions(
  work: readonly ActiveTask[],
  changelogByTask: ReadonlyMap<ActiveTask, ChangelogRecord[]>,
  deps: CommitDeps,
): Promise<void> {
  const results = await Promise.allSettled(
    work.map((task) => commitTransaction(task, changelogByTask.get(task) ?? [], deps)),
  );
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
}

async function commitTransaction(
  task: ActiveTask,
  changelog: ChangelogRecord[],
  deps: CommitDeps,
): Promise<void> {
  await settleSend(task);
  const offsets = task.stream.committableOffsets();
  // Output the task collected since its last send goes out with the changelog: one send, not two.
  const outputs = task.outputs.splice(0);
  if (outputs.length === 0 && changelog.length === 0 && offsets.length === 0 && !task.transaction) {
    await finish(task);
    return;
  }
  const producer = task.producer as ProducerPort;
  const txn = task.transaction ?? (await producer.beginTransaction());
  task.transaction = txn;
  const produced = await txn.send([...outputs, ...toOutgoing(changelog)]);
  await txn.sendOffsets(deps.consumer.groupId, offsets);
  for (const s of task.sinks.values()) await s.publish();
  await txn.commit();
  task.transaction = undefined;
  await task.stores?.checkpoint(nextOffsets(produced, task, new Set(changelog.map((r) => r.topic))));
  await finish(task);
}

async function finish(task: ActiveTask): Promise<void> {
  task.stream.markCommitted();
  task.commitRequested = false;
  const eventTime = task.stream.eventTime();
  if (task.stores && Number.isFinite(eventTime)) await task.stores.expire(eventTime);
}
