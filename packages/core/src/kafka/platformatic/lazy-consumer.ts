import type { Logger } from '../../logger.js';
import type { ConsumerHandlers, ConsumerPort, KafkaPort, TopicPartitionOffset } from '../ports.js';
import type { ClientBase } from './group-consumer.js';

/**
 * Loads @platformatic/kafka on connect(), not when the runtime's modules load: the client costs
 * about 50 MB of heap and 1.2 CPU-s to import, which every app on the default kafkajs client paid
 * at start before (#20).
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

  subscribe(topics: readonly string[]): Promise<void> {
    return this.connected().subscribe(topics);
  }

  run(handlers: ConsumerHandlers): Promise<void> {
    return this.connected().run(handlers);
  }

  commit(offsets: readonly TopicPartitionOffset[]): Promise<void> {
    return this.connected().commit(offsets);
  }

  seek(offsets: readonly TopicPartitionOffset[]): void {
    this.connected().seek(offsets);
  }

  async disconnect(): Promise<void> {
    await this.inner?.disconnect();
  }

  private connected(): ConsumerPort {
    if (!this.inner) throw new Error('platformatic consumer used before connect()');
    return this.inner;
  }
}
