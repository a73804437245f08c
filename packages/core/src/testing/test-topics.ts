import type { Headers } from '../record.js';
import type { Serde } from '../serde/serde.js';

export interface TestRecord<K, V> {
  readonly key: K;
  readonly value: V;
  readonly timestamp: number;
  readonly headers: Headers;
}

export interface CapturedRecord {
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly timestamp: number;
  readonly headers: Headers;
}

/** Feeds records into the driver as if they had been produced to `topic`. */
export class TestInputTopic<K, V> {
  constructor(
    readonly topic: string,
    private readonly keySerde: Serde<K>,
    private readonly valueSerde: Serde<V>,
    private readonly pipe: (
      topic: string,
      key: Buffer | null,
      value: Buffer | null,
      timestamp: number | undefined,
      headers: Headers,
      partition: number | undefined,
    ) => Promise<void>,
    /** Unset: the partition the key hashes to, as the Kafka producer picks it. */
    readonly partition?: number,
  ) {}

  /** The same topic, piping into one partition: with several, a test chooses the order partitions are read in. */
  inPartition(partition: number): TestInputTopic<K, V> {
    return new TestInputTopic(this.topic, this.keySerde, this.valueSerde, this.pipe, partition);
  }

  pipeInput(key: K, value: V, timestamp?: number, headers: Headers = {}): Promise<void> {
    return this.pipe(
      this.topic,
      this.keySerde.serialize(key, this.topic),
      this.valueSerde.serialize(value, this.topic),
      timestamp,
      headers,
      this.partition,
    );
  }

  /** Sends raw bytes (e.g. a malformed value to exercise the error policy). */
  pipeRaw(
    key: Buffer | null,
    value: Buffer | null,
    timestamp?: number,
    headers: Headers = {},
  ): Promise<void> {
    return this.pipe(this.topic, key, value, timestamp, headers, this.partition);
  }

  async pipeRecordList(records: Iterable<{ key: K; value: V; timestamp?: number }>): Promise<void> {
    for (const r of records) await this.pipeInput(r.key, r.value, r.timestamp);
  }
}

/** Reads what the topology wrote to `topic`, in order, consuming as it reads. */
export class TestOutputTopic<K, V> {
  constructor(
    readonly topic: string,
    private readonly keySerde: Serde<K>,
    private readonly valueSerde: Serde<V>,
    private readonly queue: CapturedRecord[],
  ) {}

  isEmpty(): boolean {
    return this.queue.length === 0;
  }

  get queueSize(): number {
    return this.queue.length;
  }

  readRecord(): TestRecord<K, V> {
    const r = this.queue.shift();
    if (!r) throw new Error(`output topic ${this.topic} is empty`);
    return {
      key: this.keySerde.deserialize(r.key, this.topic),
      value: this.valueSerde.deserialize(r.value, this.topic),
      timestamp: r.timestamp,
      headers: r.headers,
    };
  }

  readKeyValue(): { key: K; value: V } {
    const r = this.readRecord();
    return { key: r.key, value: r.value };
  }

  readValue(): V {
    return this.readRecord().value;
  }

  readRecordsToList(): TestRecord<K, V>[] {
    const out: TestRecord<K, V>[] = [];
    while (!this.isEmpty()) out.push(this.readRecord());
    return out;
  }

  readKeyValuesToList(): { key: K; value: V }[] {
    return this.readRecordsToList().map((r) => ({ key: r.key, value: r.value }));
  }

  /** Latest value per key (a table view of the topic); null values delete. */
  readKeyValuesToMap(): Map<K, V> {
    const m = new Map<K, V>();
    for (const r of this.readRecordsToList()) {
      if (r.value === null || r.value === undefined) m.delete(r.key);
      else m.set(r.key, r.value);
    }
    return m;
  }
}
