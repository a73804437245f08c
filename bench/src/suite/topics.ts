/** Small kafkajs helpers of the suite harness: admin calls, following and counting a topic. */
import type { Kafka } from 'kafkajs';

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function withAdmin<T>(k: Kafka, fn: (a: ReturnType<Kafka['admin']>) => Promise<T>): Promise<T> {
  const admin = k.admin();
  await admin.connect();
  try {
    return await fn(admin);
  } finally {
    await admin.disconnect();
  }
}

export async function createTopics(
  k: Kafka,
  topics: { topic: string; numPartitions: number }[],
): Promise<void> {
  await withAdmin(k, (a) =>
    a.createTopics({ waitForLeaders: true, topics: topics.map((t) => ({ ...t, replicationFactor: 1 })) }),
  );
}

export async function deleteRunTopics(k: Kafka, prefix: string): Promise<void> {
  await withAdmin(k, async (a) => {
    const topics = (await a.listTopics()).filter((t) => t.startsWith(prefix));
    if (topics.length) await a.deleteTopics({ topics }).catch(() => {});
  });
}

export async function committedSum(k: Kafka, group: string, topic: string): Promise<number> {
  return withAdmin(k, async (a) => {
    const res = await a.fetchOffsets({ groupId: group, topics: [topic] });
    return res.reduce((s, t) => s + t.partitions.reduce((x, p) => x + Math.max(0, Number(p.offset)), 0), 0);
  });
}

/** Follows a topic (read_committed) from the beginning, calling onRecord per record, until stop(). */
export async function follow(
  k: Kafka,
  topic: string,
  onRecord: (key: string, value: Buffer) => void,
): Promise<() => Promise<void>> {
  const c = k.consumer({
    groupId: `bench-reader-${topic}-${Date.now()}`,
    readUncommitted: false,
    maxWaitTimeInMs: 200,
  });
  await c.connect();
  await c.subscribe({ topic, fromBeginning: true });
  await c.run({
    autoCommit: false,
    eachBatch: async ({ batch }) => {
      for (const m of batch.messages) onRecord(m.key?.toString('utf8') ?? '', m.value as Buffer);
    },
  });
  return () => c.disconnect();
}

export async function countTopic(
  k: Kafka,
  topic: string,
  expectAtLeast: number,
  ms = 10_000,
): Promise<number> {
  let n = 0;
  const stop = await follow(k, topic, () => {
    n++;
  });
  const until = Date.now() + ms;
  while (Date.now() < until && n < expectAtLeast) await sleep(100);
  await sleep(expectAtLeast === 0 ? 1500 : 300);
  await stop();
  return n;
}
