// Test support (not exported from the package): a Kafka port without a broker for the operations layer.
import type { KafkaPort, NewTopic, RawRecord } from '../kafka/ports.js';

/**
 * A Kafka port whose instances topic is an array: what the producer sends, the tailer delivers.
 * Topics its admin is asked to create are pushed to `created`.
 */
export function loopbackPort(created: NewTopic[] = []): KafkaPort {
  let deliver: ((records: readonly RawRecord[]) => void) | undefined;
  let offset = 0n;
  return {
    admin: () => ({
      connect: async () => {},
      disconnect: async () => {},
      createTopics: async (topics: readonly NewTopic[]) => {
        created.push(...topics);
      },
      endOffsets: async () => new Map([[0, 0n]]),
    }),
    tailer: () => ({
      start: async (_topics: readonly string[], onBatch: (records: readonly RawRecord[]) => void) => {
        deliver = onBatch;
      },
      stop: async () => {},
    }),
    producer: () => ({
      connect: async () => {},
      disconnect: async () => {},
      send: async (records: readonly RawRecord[]) => {
        deliver?.(records.map((r) => ({ ...r, offset: offset++ })));
        return [];
      },
    }),
  } as unknown as KafkaPort;
}
