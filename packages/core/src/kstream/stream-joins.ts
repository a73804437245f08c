import { TributaryError } from '../errors.js';
import { DEFAULT_JOIN_INDEX_BYTES } from '../internal/processors/join-buffer-index.js';
import { PassThroughProcessor } from '../internal/processors/stateless.js';
import {
  type JoinSide,
  JoinTimeTrackers,
  listSerde,
  OUTER_JOIN_EMIT_INTERVAL_MS,
} from '../internal/processors/stream-join-tracker.js';
import { StreamStreamJoinProcessor } from '../internal/processors/stream-stream-join.js';
import type { ProcessorSupplier } from '../processor/processor.js';
import type { Serde } from '../serde/serde.js';
import { Serdes } from '../serde/serdes.js';
import { addProcessor, requireName } from './dsl-context.js';
import { internalSerde } from './internal-serdes.js';
import { JoinWindows } from './join-windows.js';
import { KStream } from './kstream.js';

type AnySupplier = ProcessorSupplier<unknown, unknown, unknown, unknown>;

/** Kafka Streams' StreamJoined, as an options object. */
export interface StreamJoinOptions<K, V, VO> {
  /**
   * Names the join's processors (`<name>-this-join`, `<name>-other-join`, `<name>-merge`), its stores
   * (`<name>-this-join-store`, `<name>-other-join-store`, `<name>-left-shared-join-store` or
   * `<name>-outer-shared-join-store`, outer variants as Kafka Streams names them) and any repartition
   * topics (`<name>-left`, `<name>-right`). Required: stores and topics are durable.
   */
  name: string;
  keySerde?: Serde<K>;
  valueSerde?: Serde<V>;
  otherValueSerde?: Serde<VO>;
  /** Back the join buffers with changelog topics. Default true. */
  logging?: boolean;
  /**
   * Tributary's own: memory (bytes, estimated) of the in-memory index of each buffer, per task, that
   * serves lookups without a store read (default 16 MiB). Past it the oldest records are left to
   * the store alone: lookups that reach them read it asynchronously. Results are the same either way.
   */
  indexMaxBytes?: number;
}

export type StreamJoinKind = 'inner' | 'left' | 'outer';

const ONE_DAY = 24 * 60 * 60 * 1000;

export function joinStream<K, V, VO, VR>(
  left: KStream<K, V>,
  right: KStream<K, VO>,
  joiner: (value: V | undefined, otherValue: VO | undefined, key: K) => VR,
  windows: JoinWindows,
  kind: StreamJoinKind,
  opts: StreamJoinOptions<K, V, VO>,
): KStream<K, VR> {
  if (!(windows instanceof JoinWindows)) {
    throw new TributaryError(
      'TOPOLOGY_INVALID',
      'a stream-stream join needs JoinWindows: join(otherStream, joiner, JoinWindows.ofTimeDifference...(ms), { name })',
    );
  }
  const name = requireName(opts?.name, 'stream-stream join');
  const ctx = left.ctx;
  const keySerde = opts.keySerde ?? left.shape.keySerde ?? right.shape.keySerde;
  const valueSerde = opts.valueSerde ?? left.shape.valueSerde;
  const otherValueSerde = opts.otherValueSerde ?? right.shape.valueSerde;
  // A key change before the join: each such side goes through its own repartition topic.
  const l = left.repartitionIfRequired(`${name}-left`, keySerde, valueSerde);
  const r = right.repartitionIfRequired(`${name}-right`, keySerde, otherValueSerde);
  const leftOuter = kind !== 'inner';
  const rightOuter = kind === 'outer';
  const keys = (keySerde ?? internalSerde<K>()) as Serde<K>;
  const valueSerdes = {
    left: (valueSerde ?? internalSerde<V>()) as Serde<V>,
    right: (otherValueSerde ?? internalSerde<VO>()) as Serde<VO>,
  };
  const logging = opts.logging ?? true;
  const indexMaxBytes = opts.indexMaxBytes ?? DEFAULT_JOIN_INDEX_BYTES;
  if (!(indexMaxBytes >= 0))
    throw new TributaryError(
      'CONFIG_INVALID',
      `${name}: indexMaxBytes must be a byte count >= 0, got ${indexMaxBytes}`,
    );
  // Matching filters on each buffer's own newest timestamp minus (size + grace), as Kafka Streams'
  // window stores do; physical expiry follows the task's stream time, so it keeps at least a day, as
  // windowed aggregations do, not to drop what a buffer still retains.
  const storeRetentionMs = Math.max(windows.sizeMs + windows.graceMs, ONE_DAY);

  const thisName = `${name}${rightOuter ? '-outer-this-join' : '-this-join'}`;
  const otherName = `${name}${leftOuter ? '-outer-other-join' : '-other-join'}`;
  const stores: Record<JoinSide, string> = { left: `${thisName}-store`, right: `${otherName}-store` };
  for (const side of ['left', 'right'] as const) {
    ctx.graph.addStore({
      name: stores[side],
      kind: 'window',
      keySerde: keys as Serde<unknown>,
      // Each record's bytes in the side's value serde: the processor serializes a record once, for
      // the store and its in-memory index. The same bytes as a list of values would give.
      valueSerde: listSerde(Serdes.bytes()) as Serde<unknown>,
      logging,
      caching: true,
      windowSizeMs: windows.sizeMs,
      retentionMs: storeRetentionMs,
    });
  }
  let outerStore: string | undefined;
  if (leftOuter) {
    outerStore = `${name}${rightOuter ? '-outer-shared-join' : '-left-shared-join'}-store`;
    ctx.graph.addStore({
      name: outerStore,
      kind: 'key-value',
      keySerde: Serdes.bytes() as Serde<unknown>,
      valueSerde: listSerde(Serdes.bytes()) as Serde<unknown>,
      logging,
      caching: true,
    });
  }
  const trackers = new JoinTimeTrackers();
  const connected = [stores.left, stores.right, ...(outerStore ? [outerStore] : [])];
  const sideNode = (side: JoinSide, nodeName: string, input: KStream<K, unknown>) =>
    addProcessor(
      ctx,
      {
        name: nodeName,
        prefix: 'streamJoin',
        operator: `stream-stream-${kind === 'inner' ? '' : `${kind}-`}join-${side === 'left' ? 'this' : 'other'}`,
        stores: connected,
      },
      () =>
        new StreamStreamJoinProcessor<K, V, VO, VR>({
          side,
          windows,
          stores,
          storeRetentionMs,
          indexMaxBytes,
          outerStore,
          outer: side === 'left' ? leftOuter : rightOuter,
          keySerde: keys,
          valueSerdes,
          joiner,
          trackers,
          emitIntervalMs: OUTER_JOIN_EMIT_INTERVAL_MS,
        }) as unknown as ReturnType<AnySupplier>,
      [input.shape.node],
    );
  const thisNode = sideNode('left', thisName, l as KStream<K, unknown>);
  const otherNode = sideNode('right', otherName, r as KStream<K, unknown>);
  const merge = addProcessor(
    ctx,
    { name: `${name}-merge`, prefix: 'merge', operator: 'merge' },
    () => new PassThroughProcessor(),
    [thisNode, otherNode],
  );
  // Both sides must have the same partition count, so a key meets its partners in the same task.
  ctx.graph.copartitionGroups.push(new Set([...l.shape.sourceNodes, ...r.shape.sourceNodes]));
  return new KStream<K, VR>(ctx, {
    node: merge,
    keySerde,
    valueSerde: undefined,
    repartitionRequired: false,
    sourceNodes: [...l.shape.sourceNodes, ...r.shape.sourceNodes],
  });
}
