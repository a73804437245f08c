import { Partitioners, type PartitionMetadata } from 'kafkajs';
import { partitionForKey } from './murmur2.js';
import type { OutgoingRecord } from './ports.js';

/** Partition metadata of existing topics (missing topics absent), from the port's shared admin. */
export type PartitionMetadataLookup = (topics: string[]) => Promise<ReadonlyMap<string, PartitionMetadata[]>>;

/** Gives every record an explicit partition (Java-compatible murmur2 on the key, as kafkajs would). */
export class PartitionResolver {
  private readonly metadata = new Map<string, PartitionMetadata[]>();
  /** Only for records without a key (round robin over available partitions). */
  private readonly partitioner = Partitioners.DefaultPartitioner();

  constructor(private readonly lookup: PartitionMetadataLookup) {}

  async assign(records: readonly OutgoingRecord[]): Promise<readonly OutgoingRecord[]> {
    const unknown = [...new Set(records.filter((r) => r.partition === undefined).map((r) => r.topic))].filter(
      (t) => !this.metadata.has(t),
    );
    if (unknown.length > 0) {
      for (const [topic, partitions] of await this.lookup(unknown)) this.metadata.set(topic, partitions);
    }
    for (const r of records) {
      if (r.partition !== undefined) continue;
      const partitionMetadata = this.metadata.get(r.topic) ?? [];
      const partition =
        r.key !== null && partitionMetadata.length > 0
          ? partitionForKey(r.key, partitionMetadata.length)
          : this.partitioner({ topic: r.topic, partitionMetadata, message: { key: r.key, value: r.value } });
      // Set in place: the record belongs to this send from here on, and a copy per record showed in
      // the profile. Deterministic for keyed records, so a resend or replay picks the same partition.
      (r as { partition?: number }).partition = partition;
    }
    return records;
  }
}
