import { foreignKeyJoinTopicNames } from '../internal/names.js';
import {
  ForeignTableProcessor,
  ResponseJoinProcessor,
  SubscriptionProcessor,
  SubscriptionSendProcessor,
} from '../internal/processors/fk-join.js';
import {
  responseSerde,
  subscriptionHashSerde,
  subscriptionSerde,
} from '../internal/processors/fk-join-wire.js';
import { PassThroughProcessor } from '../internal/processors/stateless.js';
import { ToTableProcessor } from '../internal/processors/table-source.js';
import type { ProcessorSupplier } from '../processor/processor.js';
import type { Serde } from '../serde/serde.js';
import { Serdes } from '../serde/serdes.js';
import { addProcessor, addRepartition, requireName } from './dsl-context.js';
import { internalSerde } from './internal-serdes.js';
import { KTable } from './ktable.js';

type AnySupplier = ProcessorSupplier<unknown, unknown, unknown, unknown>;
const supplier = (make: () => unknown) => make as unknown as AnySupplier;

/** Options of a foreign-key join (Kafka Streams' TableJoined and Materialized, as far as they apply). */
export interface ForeignKeyJoinOptions<KO, VR> {
  /**
   * Required: names the internal topics `<applicationId>-<name>-subscription-registration-repartition`
   * and `<applicationId>-<name>-subscription-response-repartition`, the stores
   * `<name>-subscription-store`, `<name>-foreign-timestamps` and `<name>-output` (the joined table),
   * and the processors. Durable: they must survive restarts.
   */
  name: string;
  /**
   * Serde of the foreign key on the subscription topic. Default: the other table's key serde, which
   * it must match, since subscriptions are partitioned by these bytes to meet the other table's rows.
   */
  foreignKeySerde?: Serde<KO>;
  /** Serde of the joined table's store (default msgpack). */
  valueSerde?: Serde<VR>;
  /** Back the join's stores with changelog topics. Default true. */
  logging?: boolean;
}

/**
 * KTable-KTable foreign-key join (KIP-213): each left row joins the right row whose key
 * `extractor(value, key)` returns. The left side subscribes through the subscription topic
 * (partitioned like the right table); the right side answers through the response topic
 * (partitioned like the left table); the result is materialized in `<name>-output`.
 */
export function joinOnForeignKey<K, V, KO, VO, VR>(
  left: KTable<K, V>,
  right: KTable<KO, VO>,
  extractor: (value: V, key: K) => KO | null | undefined,
  joiner: (value: V, foreignValue: VO | undefined, key: K) => VR,
  leftJoin: boolean,
  opts: ForeignKeyJoinOptions<KO, VR>,
): KTable<K, VR> {
  const name = requireName(opts?.name, 'foreign-key join');
  const topics = foreignKeyJoinTopicNames(name);
  const ctx = left.ctx;
  const logging = opts.logging ?? true;
  const keySerde = (left.keySerde ?? internalSerde<K>()) as Serde<K>;
  const valueSerde = (left.valueSerde ?? internalSerde<V>()) as Serde<V>;
  const foreignKeySerde = (opts.foreignKeySerde ?? right.keySerde ?? internalSerde<KO>()) as Serde<KO>;
  const foreignValueSerde = (right.valueSerde ?? internalSerde<VO>()) as Serde<VO>;
  const bytes = Serdes.bytes() as Serde<unknown>;

  // Left partition: updates become subscriptions, keyed by foreign key.
  const send = addProcessor(
    ctx,
    { name: `${name}-subscription-registration-send`, prefix: 'fkSend', operator: 'fk-join-subscribe' },
    supplier(
      () =>
        new SubscriptionSendProcessor<K, V, KO>({
          leftJoin,
          extractor,
          keySerde,
          valueSerde,
          foreignKeySerde,
        }),
    ),
    [left.node],
  );
  const subscriptions = addRepartition(
    ctx,
    send,
    topics.subscription,
    bytes,
    subscriptionSerde() as Serde<unknown>,
  );

  // Right partition: subscriptions are stored and answered; right updates answer every subscriber.
  const subscriptionStore = `${name}-subscription-store`;
  const timestampStore = `${name}-foreign-timestamps`;
  ctx.graph.addStore({
    name: subscriptionStore,
    kind: 'key-value',
    keySerde: bytes,
    valueSerde: subscriptionHashSerde() as Serde<unknown>,
    logging,
    caching: true,
  });
  ctx.graph.addStore({
    name: timestampStore,
    kind: 'key-value',
    keySerde: foreignKeySerde as Serde<unknown>,
    valueSerde: internalSerde<number>() as Serde<unknown>,
    logging,
    caching: true,
  });
  const foreignSpec = {
    subscriptionStore,
    timestampStore,
    foreign: right.valueGetter,
    foreignKeySerde,
    foreignValueSerde,
  };
  const answer = addProcessor(
    ctx,
    {
      name: `${name}-subscription-join`,
      prefix: 'fkSubscription',
      operator: 'fk-join-subscription',
      stores: [subscriptionStore, timestampStore, ...right.storeNames],
    },
    supplier(() => new SubscriptionProcessor<KO, VO>(foreignSpec)),
    [subscriptions],
  );
  const foreignUpdates = addProcessor(
    ctx,
    {
      name: `${name}-foreign-join`,
      prefix: 'fkForeign',
      operator: 'fk-join-foreign-table',
      stores: [subscriptionStore, timestampStore],
    },
    supplier(() => new ForeignTableProcessor<KO, VO>(foreignSpec)),
    [right.node],
  );
  const responsesOut = addProcessor(
    ctx,
    { name: `${name}-subscription-response-merge`, prefix: 'merge', operator: 'merge' },
    () => new PassThroughProcessor(),
    [answer, foreignUpdates],
  );
  const responses = addRepartition(
    ctx,
    responsesOut,
    topics.response,
    bytes,
    responseSerde() as Serde<unknown>,
  );

  // Left partition again: answers are joined with the current left row, then materialized.
  const joined = addProcessor(
    ctx,
    {
      name: `${name}-response-join`,
      prefix: 'fkResponse',
      operator: leftJoin ? 'fk-join-left-response' : 'fk-join-response',
      stores: left.storeNames,
    },
    supplier(
      () =>
        new ResponseJoinProcessor<K, V, VO, VR>({
          leftJoin,
          left: left.valueGetter,
          keySerde,
          valueSerde,
          foreignValueSerde,
          joiner,
        }),
    ),
    [responses],
  );
  const outputStore = `${name}-output`;
  ctx.graph.addStore({
    name: outputStore,
    kind: 'key-value',
    keySerde: keySerde as Serde<unknown>,
    valueSerde: (opts.valueSerde ?? internalSerde<VR>()) as Serde<unknown>,
    logging,
    caching: true,
  });
  const output = addProcessor(
    ctx,
    { name: `${name}-output`, prefix: 'fkOutput', operator: 'table-source', stores: [outputStore] },
    () => new ToTableProcessor(outputStore),
    [joined],
  );
  // Subscriptions must meet the right rows, responses the left rows: equal partition counts.
  ctx.graph.copartitionGroups.push(new Set([subscriptions.name, ...right.sourceNodes]));
  ctx.graph.copartitionGroups.push(new Set([responses.name, ...left.sourceNodes]));
  return KTable.materialized<K, VR>(ctx, output, outputStore, left.keySerde, opts.valueSerde, [
    ...left.sourceNodes,
    responses.name,
  ]);
}
