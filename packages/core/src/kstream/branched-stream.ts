import type { GraphNode } from '../internal/graph/nodes.js';
import { BranchProcessor, PassThroughProcessor } from '../internal/processors/stateless.js';
import { addProcessor } from './dsl-context.js';
import { KStream } from './kstream.js';

/** The branches of `KStream.split()`: each record goes to the first branch whose predicate holds. */
export class BranchedKStream<K, V> {
  private readonly branches: { child: string; predicate: (key: unknown, value: unknown) => boolean }[] = [];
  private defaultChild: string | undefined;
  private readonly result: Record<string, KStream<K, V>> = {};
  private readonly node: GraphNode;

  constructor(
    private readonly parent: KStream<K, V>,
    private readonly name: string,
  ) {
    this.node = addProcessor(
      parent.ctx,
      { name, prefix: 'split', operator: 'split' },
      () => new BranchProcessor(this.branches, this.defaultChild),
      [parent.shape.node],
    );
  }

  private addBranch(branchName: string): KStream<K, V> {
    const node = addProcessor(
      this.parent.ctx,
      { name: `${this.name}-${branchName}`, prefix: 'branch', operator: 'branch' },
      () => new PassThroughProcessor(),
      [this.node],
    );
    const stream = new KStream<K, V>(this.parent.ctx, { ...this.parent.shape, node });
    this.result[branchName] = stream;
    return stream;
  }

  branch(predicate: (key: K, value: V) => boolean, opts: { name?: string } = {}): this {
    const branchName = opts.name ?? String(this.branches.length + 1);
    const stream = this.addBranch(branchName);
    this.branches.push({
      child: stream.shape.node.name,
      predicate: predicate as (k: unknown, v: unknown) => boolean,
    });
    return this;
  }

  /** Records matching no branch go to this branch (named "default" unless named). */
  defaultBranch(opts: { name?: string } = {}): Record<string, KStream<K, V>> {
    const stream = this.addBranch(opts.name ?? 'default');
    this.defaultChild = stream.shape.node.name;
    return this.result;
  }

  /** Records matching no branch are not forwarded anywhere (as in Kafka Streams). */
  noDefaultBranch(): Record<string, KStream<K, V>> {
    return this.result;
  }
}
