import type { Change } from '../../change.js';
import type { Processor, ProcessorContext } from '../../processor/processor.js';
import type { StreamRecord } from '../../record.js';
import type { Serde } from '../../serde/serde.js';
import { Serdes } from '../../serde/serdes.js';
import type { KeyValueStore } from '../../state/store.js';
import {
  combinedKey,
  type Subscription,
  type SubscriptionInstruction,
  type SubscriptionResponse,
  sameHash,
  valueHash,
} from './fk-join-wire.js';
import type { ValueGetter, ValueGetterFactory } from './join.js';
import { countSkipped, isNullish } from './skipped-records.js';

/**
 * A foreign-key join (KIP-213) in four processors. On the left table's partition, the send processor
 * turns each left update into subscriptions to its foreign key. On the foreign key's partition, the
 * subscription processor records them and answers with the right row; the foreign-table processor
 * answers every subscriber when the right row changes. Back on the left partition, the response
 * processor joins an answer with the current left row, unless the row has changed since the
 * subscription (its hash differs): answers of different updates can arrive in any order when the
 * foreign key moved between partitions, and only the latest may produce a result.
 */

type Out<K, V> = ProcessorContext<K, V>;

export interface SubscriptionSendSpec<K, V, KO> {
  readonly leftJoin: boolean;
  readonly extractor: (value: V, key: K) => KO | null | undefined;
  readonly keySerde: Serde<K>;
  readonly valueSerde: Serde<V>;
  readonly foreignKeySerde: Serde<KO>;
}

/** Left table updates -> subscriptions keyed by foreign-key bytes (null for a left join's null key). */
export class SubscriptionSendProcessor<K, V, KO>
  implements Processor<K, Change<V>, Buffer | null, Subscription>
{
  private ctx!: Out<Buffer | null, Subscription>;
  constructor(private readonly spec: SubscriptionSendSpec<K, V, KO>) {}

  init(ctx: Out<Buffer | null, Subscription>): void {
    this.ctx = ctx;
  }

  process(record: StreamRecord<K, Change<V>>): void {
    if (isNullish(record.key)) {
      countSkipped(this.ctx, 'nullKey');
      return;
    }
    const { newValue, oldValue } = record.value;
    const oldFk = this.foreignKey(record.key, oldValue);
    const newFk = this.foreignKey(record.key, newValue);
    const moved = oldFk !== null && (newFk === null || !oldFk.equals(newFk));
    const send = (fk: Buffer | null, instruction: SubscriptionInstruction) => {
      const primaryKey = this.spec.keySerde.serialize(record.key, '') ?? Buffer.alloc(0);
      const hash = valueHash(newValue, this.spec.valueSerde, '');
      this.ctx.forward({ ...record, key: fk, value: { hash, instruction, primaryKey } });
    };
    if (this.spec.leftJoin) {
      // Every update but a delete of nothing needs an answer: a left join always has a result row.
      if (newValue === undefined && oldValue === undefined) return;
      if (moved) send(oldFk, 'deleteNoPropagate');
      send(newFk, 'propagateNullIfNoValue');
      return;
    }
    if (newValue === undefined) {
      if (oldFk !== null) send(oldFk, 'deleteAndPropagate');
      return;
    }
    if (newFk === null) {
      // An inner join cannot subscribe without a foreign key: skipped (counted as a null key, as
      // Kafka Streams' dropped-records sensor counts it), but a previous result goes.
      countSkipped(this.ctx, 'nullKey');
      if (oldFk !== null) send(oldFk, 'deleteAndPropagate');
      return;
    }
    if (oldFk === null) {
      // A new subscription: there is no earlier result to retract.
      send(newFk, 'propagateOnlyIfValue');
    } else if (moved) {
      send(oldFk, 'deleteNoPropagate');
      send(newFk, 'propagateNullIfNoValue');
    } else {
      // Same foreign key: had there been no right row, the old value did not join either.
      send(newFk, 'propagateOnlyIfValue');
    }
  }

  private foreignKey(key: K, value: V | undefined): Buffer | null {
    if (value === undefined) return null;
    const fk = this.spec.extractor(value, key);
    if (fk === null || fk === undefined) return null;
    return this.spec.foreignKeySerde.serialize(fk, '');
  }
}

export interface ForeignSideSpec<KO, VO> {
  readonly subscriptionStore: string;
  /** Timestamp of each right row, by foreign key (the right table's stores hold values only). */
  readonly timestampStore: string;
  readonly foreign: ValueGetterFactory<KO, VO>;
  readonly foreignKeySerde: Serde<KO>;
  readonly foreignValueSerde: Serde<VO>;
}

type HashStore = KeyValueStore<Buffer, { h: Buffer | null }>;

/** Subscriptions on the foreign key's partition: recorded, and answered with the right row. */
export class SubscriptionProcessor<KO, VO>
  implements Processor<Buffer | null, Subscription, Buffer, SubscriptionResponse>
{
  private ctx!: Out<Buffer, SubscriptionResponse>;
  private store!: HashStore;
  private timestamps!: KeyValueStore<KO, number>;
  private foreign!: ValueGetter<KO, VO>;
  constructor(private readonly spec: ForeignSideSpec<KO, VO>) {}

  init(ctx: Out<Buffer, SubscriptionResponse>): void {
    this.ctx = ctx;
    this.store = ctx.getStateStore<HashStore>(this.spec.subscriptionStore);
    this.timestamps = ctx.getStateStore<KeyValueStore<KO, number>>(this.spec.timestampStore);
    this.foreign = this.spec.foreign(ctx as ProcessorContext);
  }

  process(record: StreamRecord<Buffer | null, Subscription>): void {
    const fkBytes = record.key;
    const { hash, instruction, primaryKey } = record.value;
    if (fkBytes === null || fkBytes === undefined) {
      // Only a left join's null foreign key travels here, to be answered "no right row".
      if (instruction !== 'propagateNullIfNoValue') {
        countSkipped(this.ctx, 'nullKey');
        return;
      }
      this.ctx.forward({ ...record, key: primaryKey, value: { hash, foreignValue: null } });
      return;
    }
    const key = combinedKey.encode(Buffer.from(fkBytes), primaryKey);
    if (instruction === 'deleteNoPropagate' || instruction === 'deleteAndPropagate') this.store.delete(key);
    else this.store.put(key, { h: hash });
    if (instruction === 'deleteNoPropagate') return;
    const fk = this.spec.foreignKeySerde.deserialize(Buffer.from(fkBytes), '');
    const value = this.foreign(fk);
    if (value === undefined && instruction === 'propagateOnlyIfValue') return;
    const foreignTs = value === undefined ? undefined : this.timestamps.get(fk);
    const timestamp = foreignTs === undefined ? record.timestamp : Math.max(record.timestamp, foreignTs);
    const foreignValue =
      value === undefined || instruction === 'deleteAndPropagate'
        ? null
        : this.spec.foreignValueSerde.serialize(value, '');
    this.ctx.forward({ ...record, key: primaryKey, timestamp, value: { hash, foreignValue } });
  }
}

/** Right table updates: every subscriber of the foreign key gets the new right value (or none). */
export class ForeignTableProcessor<KO, VO>
  implements Processor<KO, Change<VO>, Buffer, SubscriptionResponse>
{
  private ctx!: Out<Buffer, SubscriptionResponse>;
  private store!: HashStore;
  private timestamps!: KeyValueStore<KO, number>;
  constructor(private readonly spec: ForeignSideSpec<KO, VO>) {}

  init(ctx: Out<Buffer, SubscriptionResponse>): void {
    this.ctx = ctx;
    this.store = ctx.getStateStore<HashStore>(this.spec.subscriptionStore);
    this.timestamps = ctx.getStateStore<KeyValueStore<KO, number>>(this.spec.timestampStore);
  }

  async process(record: StreamRecord<KO, Change<VO>>): Promise<void> {
    if (isNullish(record.key)) {
      countSkipped(this.ctx, 'nullKey');
      return;
    }
    const { newValue } = record.value;
    if (newValue === undefined) this.timestamps.delete(record.key);
    else this.timestamps.put(record.key, record.timestamp);
    const fkBytes = this.spec.foreignKeySerde.serialize(record.key, '') ?? Buffer.alloc(0);
    const foreignValue = newValue === undefined ? null : this.spec.foreignValueSerde.serialize(newValue, '');
    const responses: StreamRecord<Buffer, SubscriptionResponse>[] = [];
    // Collected first, forwarded after: the scan must not see writes made downstream meanwhile.
    for await (const { key, value } of this.store.prefixScan(combinedKey.prefix(fkBytes), Serdes.bytes())) {
      const primaryKey = Buffer.from(combinedKey.primaryKey(key));
      responses.push({ ...record, key: primaryKey, value: { hash: value.h, foreignValue } });
    }
    for (const r of responses) this.ctx.forward(r);
  }
}

export interface ResponseJoinSpec<K, V, VO, VR> {
  readonly leftJoin: boolean;
  readonly left: ValueGetterFactory<K, V>;
  readonly keySerde: Serde<K>;
  readonly valueSerde: Serde<V>;
  readonly foreignValueSerde: Serde<VO>;
  readonly joiner: (value: V, foreignValue: VO | undefined, key: K) => VR;
}

/** Responses on the left row's partition: joined with the current left value, or dropped as stale. */
export class ResponseJoinProcessor<K, V, VO, VR>
  implements Processor<Buffer, SubscriptionResponse, K, VR | null>
{
  private ctx!: Out<K, VR | null>;
  private left!: ValueGetter<K, V>;
  constructor(private readonly spec: ResponseJoinSpec<K, V, VO, VR>) {}

  init(ctx: Out<K, VR | null>): void {
    this.ctx = ctx;
    this.left = this.spec.left(ctx as ProcessorContext);
  }

  process(record: StreamRecord<Buffer, SubscriptionResponse>): void {
    const key = this.spec.keySerde.deserialize(Buffer.from(record.key), '');
    const current = this.left(key);
    if (!sameHash(record.value.hash, valueHash(current, this.spec.valueSerde, ''))) {
      // Answers an older value of the row: a newer subscription's answer is (or was) on its way.
      // Dropped without a count, as Kafka Streams does: it is the protocol working, not bad data.
      return;
    }
    const bytes = record.value.foreignValue;
    const foreign = bytes === null ? undefined : this.spec.foreignValueSerde.deserialize(bytes, '');
    const value =
      current === undefined || (foreign === undefined && !this.spec.leftJoin)
        ? null
        : this.spec.joiner(current, foreign, key);
    this.ctx.forward({ ...record, key, value });
  }
}
