/** The peers of the drain benchmark and the command line that starts each as a child process. */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BOOTSTRAP, campaignsTopic, type DataSet, GRACE_MS, inputTopic } from '../common.js';
import { clickTopic, JOIN_GRACE_MS } from '../join-data.js';

export const BENCH = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const KS_DIR = path.join(BENCH, 'peers/kafka-streams');

export type Kind = 'full-topic' | 'full-parquet' | 'passthrough' | 'join' | 'ceiling';

/** Which Kafka Streams row a peer is compared with: the same topology. */
export const kindClass = (k: Kind) => (k === 'full-topic' || k === 'full-parquet' ? 'full' : k);
export type Guarantee = 'alo' | 'eos';
export interface Peer {
  id: string;
  label: string;
  system: 'tributary' | 'kstreams' | 'ceiling';
  kind: Kind;
  guarantee: Guarantee;
  threads?: number;
}

export const PEERS: Peer[] = [
  {
    id: 'ceiling',
    label: 'kafkajs raw consumer (ceiling)',
    system: 'ceiling',
    kind: 'ceiling',
    guarantee: 'alo',
  },
  {
    id: 'ks-full-1t-alo',
    label: 'KS full 1 thread ALO',
    system: 'kstreams',
    kind: 'full-topic',
    guarantee: 'alo',
    threads: 1,
  },
  {
    id: 'ks-full-2t-alo',
    label: 'KS full 2 threads ALO',
    system: 'kstreams',
    kind: 'full-topic',
    guarantee: 'alo',
    threads: 2,
  },
  {
    id: 'trib-full-topic-alo',
    label: 'Tributary full topic ALO',
    system: 'tributary',
    kind: 'full-topic',
    guarantee: 'alo',
  },
  {
    id: 'trib-full-parquet-alo',
    label: 'Tributary full parquet ALO',
    system: 'tributary',
    kind: 'full-parquet',
    guarantee: 'alo',
  },
  {
    id: 'ks-pass-1t-alo',
    label: 'KS pass-through 1 thread ALO',
    system: 'kstreams',
    kind: 'passthrough',
    guarantee: 'alo',
    threads: 1,
  },
  {
    id: 'trib-pass-alo',
    label: 'Tributary pass-through ALO',
    system: 'tributary',
    kind: 'passthrough',
    guarantee: 'alo',
  },
  {
    id: 'ks-full-1t-eos',
    label: 'KS full 1 thread EOS',
    system: 'kstreams',
    kind: 'full-topic',
    guarantee: 'eos',
    threads: 1,
  },
  {
    id: 'ks-full-2t-eos',
    label: 'KS full 2 threads EOS',
    system: 'kstreams',
    kind: 'full-topic',
    guarantee: 'eos',
    threads: 2,
  },
  {
    id: 'trib-full-topic-eos',
    label: 'Tributary full topic EOS',
    system: 'tributary',
    kind: 'full-topic',
    guarantee: 'eos',
  },
  {
    id: 'trib-full-parquet-eos',
    label: 'Tributary full parquet EOS',
    system: 'tributary',
    kind: 'full-parquet',
    guarantee: 'eos',
  },
  {
    id: 'ks-pass-1t-eos',
    label: 'KS pass-through 1 thread EOS',
    system: 'kstreams',
    kind: 'passthrough',
    guarantee: 'eos',
    threads: 1,
  },
  {
    id: 'trib-pass-eos',
    label: 'Tributary pass-through EOS',
    system: 'tributary',
    kind: 'passthrough',
    guarantee: 'eos',
  },
  {
    id: 'ks-join-1t-alo',
    label: 'KS stream-stream join 1 thread ALO',
    system: 'kstreams',
    kind: 'join',
    guarantee: 'alo',
    threads: 1,
  },
  {
    id: 'trib-join-alo',
    label: 'Tributary stream-stream join ALO',
    system: 'tributary',
    kind: 'join',
    guarantee: 'alo',
  },
  {
    id: 'ks-join-1t-eos',
    label: 'KS stream-stream join 1 thread EOS',
    system: 'kstreams',
    kind: 'join',
    guarantee: 'eos',
    threads: 1,
  },
  {
    id: 'trib-join-eos',
    label: 'Tributary stream-stream join EOS',
    system: 'tributary',
    kind: 'join',
    guarantee: 'eos',
  },
];

export const PEER_IDS: readonly string[] = PEERS.map((p) => p.id);

/**
 * How the Node peers (Tributary, ceiling) run: `dist`, the bundles `pnpm build` writes to
 * `bench/dist/peers/` (plain `node`, as the apps run in production); `tsx`, their sources through the
 * tsx loader (about 50 MB more RSS, and the TypeScript transpile in the start-up time).
 */
export type NodePeers = 'dist' | 'tsx';
type NodePeer = 'tributary' | 'ceiling';

/** The file (and loader flags) that start Node peer `name`. */
function nodePeer(name: NodePeer, how: NodePeers): string[] {
  return how === 'tsx' ? ['--import', 'tsx', path.join(BENCH, `src/peers/${name}.ts`)] : [peerBundle(name)];
}

/** The bundle of Node peer `name` (tools/build/build.ts writes it). */
export const peerBundle = (name: NodePeer) => path.join(BENCH, `dist/peers/${name}.js`);

/** The bundles that `peers` need under `how` (none under tsx, none for Kafka Streams). */
export function neededBundles(peers: readonly Peer[], how: NodePeers): string[] {
  if (how === 'tsx') return [];
  const names = peers.flatMap((p) => (p.system === 'kstreams' ? [] : [p.system]));
  return [...new Set(names)].map(peerBundle);
}

export interface ChildOptions {
  d: DataSet;
  commitAlo: number;
  commitEos: number;
  javaOpts: string[];
  nodePeers: NodePeers;
}

/** The command line of one peer run; `ids` names the run's topics and directory. */
export function childCommand(
  p: Peer,
  ctx: ChildOptions,
  ids: Record<string, string>,
): { cmd: string; args: string[] } {
  const input = inputTopic(ctx.d);
  const commit = p.guarantee === 'eos' ? ctx.commitEos : ctx.commitAlo;
  const full = p.kind === 'full-topic' || p.kind === 'full-parquet';
  const inputs = full ? `${input},${ids.flush}` : input;
  if (p.system === 'ceiling') {
    return {
      cmd: process.execPath,
      args: [
        ...nodePeer('ceiling', ctx.nodePeers),
        '--input-topic',
        input,
        '--expect',
        String(ctx.d.records),
        '--group',
        ids.app as string,
      ],
    };
  }
  const join = p.kind === 'join';
  const grace = join ? JOIN_GRACE_MS : GRACE_MS;
  if (p.system === 'kstreams') {
    return {
      cmd: 'java',
      args: [
        ...ctx.javaOpts,
        '-cp',
        `${KS_DIR}/target/classes:${KS_DIR}/target/lib/*`,
        'bench.Peer',
        `--mode=${join ? 'join' : p.kind === 'passthrough' ? 'passthrough' : 'full'}`,
        ...(join ? [`--click-topic=${clickTopic(ctx.d)}`] : []),
        `--bootstrap-servers=${BOOTSTRAP}`,
        `--app-id=${ids.app}`,
        `--input-topic=${inputs}`,
        `--output=${ids.output}`,
        `--campaigns=${campaignsTopic(ctx.d)}`,
        `--dlq=${ids.dlq}`,
        `--threads=${p.threads ?? 1}`,
        `--commit-ms=${commit}`,
        `--guarantee=${p.guarantee === 'eos' ? 'exactly_once_v2' : 'at_least_once'}`,
        `--state-dir=${ids.dir}/state`,
        `--grace-ms=${grace}`,
      ],
    };
  }
  const extra = process.env.BENCH_NODE_OPTS ? process.env.BENCH_NODE_OPTS.split(' ') : [];
  return {
    cmd: process.execPath,
    args: [
      ...extra,
      ...nodePeer('tributary', ctx.nodePeers),
      '--mode',
      p.kind,
      '--app-id',
      ids.app as string,
      '--input-topic',
      inputs,
      '--campaigns',
      campaignsTopic(ctx.d),
      '--output',
      p.kind === 'full-parquet' ? `${ids.dir}/parquet` : (ids.output as string),
      '--dlq',
      ids.dlq as string,
      '--late',
      ids.late as string,
      '--state-dir',
      // ids.state: a second instance of the same application id (its own state dir).
      ids.state ?? `${ids.dir}/state`,
      '--guarantee',
      p.guarantee === 'eos' ? 'exactly-once' : 'at-least-once',
      '--commit-ms',
      String(commit),
      '--grace-ms',
      String(grace),
      ...(join ? ['--click-topic', clickTopic(ctx.d)] : []),
    ],
  };
}
