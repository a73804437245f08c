import { errorMessage } from '../errors.js';
import type { AdminPort, KafkaPort, NewTopic, ProducerPort, RawRecord, TopicTailer } from '../kafka/ports.js';
import type { Logger } from '../logger.js';
import type { InstanceInfo } from './read-only-stores.js';

/** The compacted topic where instances advertise their query server and tasks. */
export function instancesTopicName(applicationId: string): string {
  return `${applicationId}-instances`;
}

export const HEARTBEAT_INTERVAL_MS = 2000;
/** An instance not heard of for this long is gone (crashed without its tombstone). */
export const INSTANCE_EXPIRY_MS = 3 * HEARTBEAT_INTERVAL_MS + 1000;

export function instancesTopic(applicationId: string, replicationFactor: number): NewTopic {
  return {
    name: instancesTopicName(applicationId),
    partitions: 1,
    replicationFactor,
    configs: { 'cleanup.policy': 'compact', 'segment.ms': '600000' },
  };
}

/** Decodes one heartbeat value; undefined when it is not one (never trusts the topic's content). */
export function decodeHeartbeat(value: Buffer): InstanceInfo | undefined {
  try {
    const v = JSON.parse(value.toString('utf8')) as Partial<InstanceInfo>;
    if (typeof v.applicationServer !== 'string' || typeof v.at !== 'number') return undefined;
    const list = (x: unknown) =>
      Array.isArray(x) ? x.filter((t): t is string => typeof t === 'string') : [];
    return {
      applicationServer: v.applicationServer,
      state: typeof v.state === 'string' ? v.state : 'unknown',
      tasks: list(v.tasks),
      restoring: list(v.restoring),
      at: v.at,
    };
  } catch {
    return undefined;
  }
}

/**
 * Who runs which task: every instance with an application server sends a heartbeat (key: its
 * `host:port`, value: state and tasks) to `<applicationId>-instances` every 2 s and at once when its
 * tasks change, and a tombstone when it stops; every instance reads the topic from the beginning. It
 * needs only a producer and a topic reader, so it works the same with either Kafka client, and as
 * heartbeats carry the current tasks, it follows every rebalance within one heartbeat.
 */
export class InstanceDirectory {
  private readonly instances = new Map<string, InstanceInfo>();
  private producer: ProducerPort | undefined;
  private tailer: TopicTailer | undefined;
  private timer: NodeJS.Timeout | undefined;
  private lastSent = '';
  private stopped = false;
  private readonly topic: string;

  constructor(
    private readonly applicationId: string,
    private readonly self: string | undefined,
    private readonly describe: () => Omit<InstanceInfo, 'applicationServer' | 'at'>,
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
  ) {
    this.topic = instancesTopicName(applicationId);
  }

  async start(port: KafkaPort, admin: AdminPort, replicationFactor: number, groupId: string): Promise<void> {
    await admin.createTopics([instancesTopic(this.applicationId, replicationFactor)]);
    await this.waitForLeader(admin);
    this.tailer = port.tailer({ groupId });
    await this.tailer.start([this.topic], (records) => this.apply(records));
    if (this.self === undefined) return;
    this.producer = port.producer({});
    await this.producer.connect();
    await this.publish(true);
    this.timer = setInterval(() => void this.publish(true), HEARTBEAT_INTERVAL_MS);
    this.timer.unref();
  }

  /** A topic created just now may not have a leader yet (KRaft metadata propagates): wait for one. */
  private async waitForLeader(admin: AdminPort): Promise<void> {
    const deadline = this.now() + 30_000;
    for (;;) {
      try {
        await admin.endOffsets(this.topic);
        return;
      } catch (err) {
        if (this.now() > deadline) throw err;
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  }

  apply(records: readonly RawRecord[]): void {
    for (const r of records) {
      const key = r.key?.toString('utf8');
      if (!key) continue;
      const info = r.value === null ? undefined : decodeHeartbeat(r.value);
      if (info) this.instances.set(key, info);
      else this.instances.delete(key);
    }
  }

  /** Sends a heartbeat; unless `force`, only when the tasks or state changed since the last one. */
  async publish(force = false): Promise<void> {
    if (!this.producer || this.self === undefined || this.stopped) return;
    const d = this.describe();
    const digest = JSON.stringify(d);
    if (!force && digest === this.lastSent) return;
    this.lastSent = digest;
    const value: InstanceInfo = { applicationServer: this.self, ...d, at: this.now() };
    this.instances.set(this.self, value);
    await this.send(Buffer.from(JSON.stringify(value)));
  }

  /** Live instances (heard of recently), this one included. */
  all(): InstanceInfo[] {
    const cutoff = this.now() - INSTANCE_EXPIRY_MS;
    return [...this.instances.values()].filter((i) => i.at >= cutoff || i.applicationServer === this.self);
  }

  /** The live instance that runs `taskId` (the newest claim wins while a rebalance settles). */
  ownerOf(taskId: string): string | undefined {
    let best: InstanceInfo | undefined;
    for (const i of this.all())
      if ((i.tasks.includes(taskId) || i.restoring.includes(taskId)) && (!best || i.at > best.at)) best = i;
    return best?.applicationServer;
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    // No heartbeat after the tombstone: it would bring this instance back for the others.
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    if (this.producer && this.self !== undefined) await this.send(null);
    await this.producer?.disconnect().catch(() => {});
    await this.tailer?.stop();
  }

  private async send(value: Buffer | null): Promise<void> {
    try {
      await this.producer?.send([
        {
          topic: this.topic,
          partition: 0,
          key: Buffer.from(this.self ?? ''),
          value,
          timestamp: this.now(),
          headers: {},
        },
      ]);
    } catch (err) {
      this.logger.warn('instance heartbeat failed', { error: errorMessage(err) });
    }
  }
}
