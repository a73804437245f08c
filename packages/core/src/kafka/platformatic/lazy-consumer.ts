import { TributaryError } from '../../errors.js';
import type { Logger } from '../../logger.js';
import type { ConsumerHandlers, ConsumerPort, KafkaPort, TopicPartitionOffset } from '../ports.js';
import type { ClientBase } from './group-consumer.js';

/**
 * Loads @platformatic/kafka on connect(), not when the runtime's modules load: importing it cost
 * every app, even on the default kafkajs client, about 30 MB of RSS and 1 CPU-s at start (#20,
 * docs/performance.md).
 */
export class LazyPlatformaticConsumer implements ConsumerPort {
  readonly groupId: string;
  private inner: ConsumerPort | undefined;

  constructor(
    private readonly base: ClientBase,
    private readonly opts: Parameters<KafkaPort['consumer']>[0],
    private readonly logger: Logger,
  ) {
    this.groupId = opts.groupId;
  }

  async connect(): Promise<void> {
    if (!this.inner) {
      const { PlatformaticConsumer } = await import('./group-consumer.js');
      this.inner ??= new PlatformaticConsumer(this.base, this.opts, this.logger);
    }
    await this.inner.connect();
  }

  async subscribe(topics: readonly string[]): Promise<void> {
    return this.connected().subscribe(topics);
  }

  async run(handlers: ConsumerHandlers): Promise<void> {
    return this.connected().run(handlers);
  }

  async commit(offsets: readonly TopicPartitionOffset[]): Promise<void> {
    return this.connected().commit(offsets);
  }

  seek(offsets: readonly TopicPartitionOffset[]): void {
    this.connected().seek(offsets);
  }

  async disconnect(): Promise<void> {
    await this.inner?.disconnect();
  }

  private connected(): ConsumerPort {
    if (!this.inner) throw new TributaryError('ILLEGAL_STATE', 'platformatic consumer used before connect()');
    return this.inner;
  }
}
