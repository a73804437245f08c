import path from 'node:path';
import { describe, expect, it } from 'vitest';
// First, as run-suite loads them: peers.ts -> join-data -> generate -> cli.ts -> peers.ts is a cycle that
// works only when cli.ts is entered first.
import '../cli.js';
import { BENCH, type ChildOptions, childCommand, neededBundles, PEERS } from './peers.js';

const peer = (id: string) => PEERS.find((p) => p.id === id) ?? expect.fail(`no peer ${id}`);
const ids = { app: 'a', output: 'o', dlq: 'd', late: 'l', flush: 'f', dir: '/tmp/x' };
const ctx = (nodePeers: ChildOptions['nodePeers']): ChildOptions => ({
  d: { records: 1000, partitions: 2, campaigns: 10 },
  commitAlo: 1000,
  commitEos: 100,
  javaOpts: [],
  nodePeers,
});

describe('the Node peers: bundles or tsx', () => {
  it('start the bundles under plain node by default, the sources through tsx with --tsx-peers', () => {
    const dist = childCommand(peer('trib-full-topic-alo'), ctx('dist'), ids);
    expect(dist.cmd).toBe(process.execPath);
    expect(dist.args.slice(0, 2)).toEqual([path.join(BENCH, 'dist/peers/tributary.js'), '--mode']);
    const tsx = childCommand(peer('trib-full-topic-alo'), ctx('tsx'), ids);
    expect(tsx.args.slice(0, 4)).toEqual([
      '--import',
      'tsx',
      path.join(BENCH, 'src/peers/tributary.ts'),
      '--mode',
    ]);
    expect(childCommand(peer('ceiling'), ctx('dist'), ids).args[0]).toBe(
      path.join(BENCH, 'dist/peers/ceiling.js'),
    );
  });

  it('need the bundles of the Node peers that run, and none under tsx or for Kafka Streams', () => {
    const some = ['ceiling', 'trib-full-topic-alo', 'trib-join-eos', 'ks-full-1t-alo'].map(peer);
    expect(neededBundles(some, 'dist')).toEqual([
      path.join(BENCH, 'dist/peers/ceiling.js'),
      path.join(BENCH, 'dist/peers/tributary.js'),
    ]);
    expect(neededBundles(some, 'tsx')).toEqual([]);
    expect(neededBundles([peer('ks-full-1t-alo')], 'dist')).toEqual([]);
  });
});
