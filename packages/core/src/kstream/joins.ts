import { StreamTableJoinProcessor, type ValueGetterFactory } from '../internal/processors/join.js';
import type { ProcessorSupplier } from '../processor/processor.js';
import { addProcessor, requireName } from './dsl-context.js';
import type { GlobalKTable } from './global-ktable.js';
import { type JoinOptions, KStream } from './kstream.js';
import type { KTable } from './ktable.js';
import type { NamedOptions } from './options.js';

export function joinTable<K, V, TV, VR>(
  stream: KStream<K, V>,
  table: KTable<K, TV>,
  joiner: (value: V, tableValue: TV | undefined, key: K) => VR,
  left: boolean,
  opts: JoinOptions,
): KStream<K, VR> {
  const input = stream.shape.repartitionRequired
    ? stream.repartitionIfRequired(requireName(opts.name, 'join after a key change'))
    : stream;
  const node = addProcessor(
    stream.ctx,
    {
      name: opts.name,
      prefix: left ? 'leftJoin' : 'join',
      operator: left ? 'stream-table-left-join' : 'stream-table-join',
      stores: table.storeNames,
    },
    () =>
      new StreamTableJoinProcessor<K, V, K, TV, VR>(
        table.valueGetter,
        (k) => k,
        joiner,
        left,
      ) as unknown as ReturnType<ProcessorSupplier<unknown, unknown, unknown, unknown>>,
    [input.shape.node],
  );
  // Both sides must have the same partition count, so a key meets its table row in the same task.
  stream.ctx.graph.copartitionGroups.push(new Set([...input.shape.sourceNodes, ...table.sourceNodes]));
  return new KStream<K, VR>(stream.ctx, {
    node,
    keySerde: input.shape.keySerde,
    valueSerde: undefined,
    repartitionRequired: false,
    sourceNodes: input.shape.sourceNodes,
  });
}

export function joinGlobal<K, V, GK, GV, VR>(
  stream: KStream<K, V>,
  table: GlobalKTable<GK, GV>,
  keyMapper: (key: K, value: V) => GK,
  joiner: (value: V, tableValue: GV | undefined, key: K) => VR,
  left: boolean,
  opts: NamedOptions,
): KStream<K, VR> {
  const getter: ValueGetterFactory<GK, GV> = table.valueGetter;
  const node = addProcessor(
    stream.ctx,
    {
      name: opts.name,
      prefix: left ? 'leftJoinGlobal' : 'joinGlobal',
      operator: left ? 'stream-global-left-join' : 'stream-global-join',
      stores: [table.storeName],
    },
    () =>
      new StreamTableJoinProcessor<K, V, GK, GV, VR>(
        getter,
        keyMapper,
        joiner,
        left,
      ) as unknown as ReturnType<ProcessorSupplier<unknown, unknown, unknown, unknown>>,
    [stream.shape.node],
  );
  return new KStream<K, VR>(stream.ctx, { ...stream.shape, node, valueSerde: undefined });
}
