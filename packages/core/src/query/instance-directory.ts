import type { Clock } from '../clock.js';
import { errorMessage } from '../errors.js';
import { instancesGroupIdOf, instancesTopicName } from '../internal/names.js';
import type { AdminPort, KafkaPort, NewTopic, ProducerPort, RawRecord, TopicTailer } from '../kafka/ports.js';
import type { Logger } from '../logger.js';
import { Serdes } from '../serde/serdes.js';
import type { InstanceInfo } from './read-only-stores.js';

export const HEARTBEAT_INTERVAL_MS = 2000;
const LEADER_RETRY_MS = 200;
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

/**
 * Heartbeat values: strict JSON (anyone who can write the topic can write anything to it), with
 * Serdes.json's round-trip form for bigints, so a field that becomes one needs no codec of its own.
 */
const heartbeatSerde = Serdes.json<unknown>({ bigints: true, maxDepth: 8 });

export function encodeHeartbeat(info: InstanceInfo): Buffer {
  return heartbeatSerde.serialize(info) as Buffer;
}

/** Decodes one heartbeat value; undefined when it is not one (never trusts the topic's content). */
export function decodeHeartbeat(value: Buffer): InstanceInfo | undefined {
  try {
    const decoded = heartbeatSerde.deserialize(value);
    if (decoded === null || typeof decoded !== 'object') return undefined;
    const v = decoded as Partial<InstanceInfo>;
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
    private readonly clock: Clock,
  ) {
    this.topic = instancesTopicName(applicationId);
  }

  private now(): number {
    return this.clock.now();
  }

  /** Follows the topic and starts heartbeats; the topic exists already (see Operations.internalTopics). */
  async start(port: KafkaPort, admin: AdminPort): Promise<void> {
    await this.waitForLeader(admin);
    this.tailer = port.tailer({ groupId: instancesGroupIdOf(this.applicationId) });
    await this.tailer.start([this.topic], (records) => this.apply(records));
    if (this.self === undefined) return;
    this.producer = port.producer({});
    await this.producer.connect();
    await this.publish(true);
    this.timer = setInterval(() => void this.publish(true), HEARTBEAT_INTERVAL_MS);
    this.timer.unref();
  }

  /**
   * A topic created just now may not have a leader yet (KRaft metadata propagates): wait for one, up
   * to 30 s of real time (counted in attempts: the app's clock may be a test's, standing still).
   */
  private async waitForLeader(admin: AdminPort): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await admin.endOffsets(this.topic);
        return;
      } catch (err) {
        if (attempt * LEADER_RETRY_MS >= 30_000) throw err;
        await new Promise((r) => setTimeout(r, LEADER_RETRY_MS));
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
    await this.send(encodeHeartbeat(value));
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
