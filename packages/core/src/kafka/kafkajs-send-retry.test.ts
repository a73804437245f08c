import { createRequire } from 'node:module';
import { KafkaJSConnectionError } from 'kafkajs';
import { describe, expect, it } from 'vitest';

// kafkajs' own send path with our patch (patches/kafkajs@2.2.4.patch): the retries across brokers
// are where records were written twice or not at all, so the real module runs here, against fake
// brokers that keep a log per partition and drop a batch whose sequence they have seen, as a broker
// does for an idempotent producer.
const require = createRequire(import.meta.url);
type SendMessages = (o: {
  acks: number;
  timeout: number;
  compression?: number;
  topicMessages: { topic: string; messages: { partition: number; value: string }[] }[];
}) => Promise<{ topicName: string; partition: number; errorCode: number; baseOffset: string }[]>;
const createSendMessages = require('kafkajs/src/producer/sendMessages.js') as (deps: unknown) => SendMessages;
const createRetry = require('kafkajs/src/retry') as (o: object) => unknown;

interface ProduceRequest {
  topicData: {
    topic: string;
    partitions: { partition: string; firstSequence: number; messages: unknown[] }[];
  }[];
}

/** Brokers by node id; `leaders(attempt)` says who leads each partition at that metadata refresh. */
function cluster(opts: {
  leaders: (refresh: number) => Record<number, number>;
  /** Per broker and per call to it: fail at once, or answer after `delayMs`. */
  behave: (nodeId: number, call: number) => { fail: true } | { delayMs: number };
}) {
  const logs = new Map<number, { sequence: number; value: unknown }[]>();
  let refreshes = 0;
  let leaders = opts.leaders(0);
  const calls = new Map<number, number>();
  const brokers = new Map<number, object>();
  const broker = (nodeId: number) => {
    let b = brokers.get(nodeId);
    if (!b) {
      b = {
        nodeId,
        produce: async ({ topicData }: ProduceRequest) => {
          const call = (calls.get(nodeId) ?? 0) + 1;
          calls.set(nodeId, call);
          const how = opts.behave(nodeId, call);
          if ('fail' in how) throw new KafkaJSConnectionError(`broker ${nodeId} is down`);
          await new Promise((r) => setTimeout(r, how.delayMs));
          const partitions = topicData[0]?.partitions ?? [];
          return {
            topics: [
              {
                topicName: 't',
                partitions: partitions.map((p) => {
                  const log = logs.get(Number(p.partition)) ?? [];
                  logs.set(Number(p.partition), log);
                  const seen = log.some((r) => r.sequence === p.firstSequence);
                  const baseOffset = seen ? log.findIndex((r) => r.sequence === p.firstSequence) : log.length;
                  if (!seen) {
                    for (const [i, m] of p.messages.entries())
                      log.push({ sequence: p.firstSequence + i, value: m });
                  }
                  return { partition: Number(p.partition), errorCode: 0, baseOffset: String(baseOffset) };
                }),
              },
            ],
          };
        },
      };
      brokers.set(nodeId, b);
    }
    return b;
  };
  const sequences = new Map<string, number>();
  const fakeCluster = {
    refreshMetadataIfNecessary: async () => {},
    refreshMetadata: async () => {
      refreshes += 1;
      leaders = opts.leaders(refreshes);
    },
    addMultipleTargetTopics: async () => {},
    isConnected: () => true,
    removeBroker: () => {},
    findTopicPartitionMetadata: () => Object.keys(leaders).map((p) => ({ partitionId: Number(p) })),
    findLeaderForPartitions: (_t: string, partitions: string[]) => {
      const out: Record<string, string[]> = {};
      for (const p of partitions) {
        const node = String(leaders[Number(p)]);
        out[node] = [...(out[node] ?? []), p];
      }
      return out;
    },
    findBroker: async ({ nodeId }: { nodeId: string }) => broker(Number(nodeId)),
    targetTopics: new Set(['t']),
  };
  const eosManager = {
    acquireBrokerLock: async () => {},
    releaseBrokerLock: async () => {},
    isTransactional: () => false,
    getTransactionalId: () => undefined,
    getProducerId: () => 1,
    getProducerEpoch: () => 0,
    getSequence: (_t: string, p: string) => sequences.get(String(p)) ?? 0,
    updateSequence: (_t: string, p: string, n: number) =>
      sequences.set(String(p), (sequences.get(String(p)) ?? 0) + n),
  };
  const silent = { debug() {}, info() {}, warn() {}, error() {} };
  const send = createSendMessages({
    logger: silent,
    cluster: fakeCluster,
    partitioner: ({ message }: { message: { partition: number } }) => message.partition,
    eosManager,
    retrier: createRetry({ retries: 5, initialRetryTime: 5, maxRetryTime: 20 }),
  });
  const stored = (partition: number) => (logs.get(partition) ?? []).map((r) => r.value);
  return { send, stored };
}

const messages = [0, 1, 2, 3].flatMap((partition) =>
  ['a', 'b'].map((v) => ({ partition, value: `${v}${partition}` })),
);
const written = (c: ReturnType<typeof cluster>) =>
  [0, 1, 2, 3].flatMap((p) => c.stored(p).map((m) => (m as { value: string }).value)).sort();

type Plan = Parameters<typeof cluster>[0];
const before = { 0: 1, 1: 1, 2: 2, 3: 2 };

describe('kafkajs send retries (patched): every record written once, every partition answered', () => {
  it.each<[string, Plan]>([
    [
      // Partitions 0, 1 on broker 1 (fails its first call at once); 2, 3 on broker 2 (answers after 50 ms).
      'a broker that fails at once does not make the retry resend what a slower broker is still writing',
      {
        leaders: () => before,
        behave: (node, call) =>
          node === 1 && call === 1 ? { fail: true } : { delayMs: node === 2 ? 50 : 1 },
      },
    ],
    [
      // Broker 1 dies; after the refresh its partitions 0, 1 are led by broker 2, which answered for 2, 3.
      'a partition whose leader moved to a broker that already answered is still sent',
      {
        leaders: (refresh) => (refresh === 0 ? before : { 0: 2, 1: 2, 2: 2, 3: 2 }),
        behave: (node) => (node === 1 ? { fail: true } : { delayMs: 1 }),
      },
    ],
    [
      // Broker 2 writes 2, 3; broker 1 fails; after the refresh partition 2 is led by broker 3 (the
      // log is per partition, as a new leader has the replicated batches).
      'a written partition whose leader moved is not sent again under a new sequence number',
      {
        leaders: (refresh) => (refresh === 0 ? before : { 0: 3, 1: 3, 2: 3, 3: 2 }),
        behave: (node) => (node === 1 ? { fail: true } : { delayMs: 1 }),
      },
    ],
  ])('%s', async (_name, plan) => {
    const c = cluster(plan);
    const answers = await c.send({ acks: -1, timeout: 1000, topicMessages: [{ topic: 't', messages }] });
    expect(written(c)).toEqual(messages.map((m) => m.value).sort());
    expect(answers.map((a) => a.partition).sort()).toEqual([0, 1, 2, 3]);
  });
});
