import type { Clock } from './clock.js';
import { TributaryError } from './errors.js';
import { type Buffering, type ResolvedBuffering, resolveBuffering } from './internal/runtime/buffering.js';
import type { ErrorPolicy } from './internal/runtime/error-policy.js';
import {
  type RecordLimits,
  type ResolvedRecordLimits,
  resolveRecordLimits,
} from './internal/runtime/record-limits.js';
import type { KafkaPort } from './kafka/ports.js';
import type { KafkaSecurity } from './kafka/security.js';
import type { Logger } from './logger.js';
import type { EventTimeMode } from './processor/processor.js';
import type { StateBackend } from './state/store.js';

export interface TributaryConfig {
  /** Consumer group id and prefix of every internal topic: durable, like Kafka Streams' application.id. */
  applicationId: string;
  bootstrapServers: string;
  /**
   * TLS and SASL for every client the runtime opens (admin, producers, consumer, global tailer,
   * changelog restores), with either built-in adapter. Secrets in it are never logged. See
   * docs/security.md.
   */
  security?: KafkaSecurity | undefined;
  /** Where task stores live; required when the topology has stores (see @tributary/state). */
  stateBackend?: StateBackend;
  processingGuarantee?: 'at-least-once' | 'exactly-once';
  /** Default 1000 ms (at-least-once) / 100 ms (exactly-once). */
  commitIntervalMs?: number;
  /** Default { mode: 'fail' }, as Kafka Streams' default handlers. */
  errorPolicy?: ErrorPolicy;
  /** Timestamps and sizes a record must keep to, checked before Kafka sees it; a breach is a record error. */
  recordLimits?: RecordLimits;
  /**
   * How much fetched input is buffered before it is processed (in records and in bytes), and when
   * collected output is sent. Defaults: 20,000 records / 16 MiB, hard caps 80,000 / 64 MiB, 200 ms,
   * 10,000 records, runs of 1,000. See Buffering and docs/performance.md#tuning.
   */
  buffering?: Buffering;
  /**
   * After a fatal error: how long closing tasks and clients may take before `done` rejects anyway
   * (and `runUntilSignal` returns 1), so a stuck client can never keep a failed app alive. Default 10 000.
   */
  failTeardownMs?: number;
  logger?: Logger;
  clock?: Clock;
  /** Kafka client port; defaults to the adapter `kafkaClient` names. */
  kafka?: KafkaPort;
  /**
   * Which built-in Kafka client adapter to use when `kafka` is not given: 'kafkajs' (default) or
   * 'platformatic' (@platformatic/kafka group consumer with static membership; see docs/scaling.md).
   * Without this field the environment variable TRIBUTARY_KAFKA_CLIENT decides, so a whole test
   * run or deployment can switch adapters without code changes.
   */
  kafkaClient?: KafkaClientName;
  /**
   * Static group membership (group.instance.id) of this instance, 'platformatic' adapter only: a
   * restarted instance with the same id takes its old place in the group within the session
   * timeout, without a rebalance. Default: an id kept in the state backend's directory (created on
   * first start), when the backend has one; none otherwise. Two running instances must never share it.
   */
  instanceId?: string;
  sessionTimeoutMs?: number;
  /** Replication factor of internal topics; -1 (default) uses the broker's default. */
  replicationFactor?: number;
  /** How often wall-clock punctuators and the commit interval are checked. Default 100 ms. */
  tickIntervalMs?: number;
  /**
   * The event-time clock that closes windows, judges lateness and drives stream-time punctuation.
   * 'watermark' (default): the minimum over a task's input partitions, across repartition topics
   * too, so results do not depend on arrival order. 'stream-time': Kafka Streams' exact semantics.
   * See docs/time-and-windows.md.
   */
  eventTime?: EventTimeMode;
  /**
   * Watermark only: a source partition that is read to its end and has had no record for this long
   * stops holding the watermark back until its next record. Default 10 000 ms; set it above the
   * largest delay between the producers of one topic.
   */
  partitionIdleMs?: number;
  /**
   * `host:port` where this instance answers interactive queries (Kafka Streams'
   * application.server), advertised to the other instances through `<applicationId>-instances`.
   * Default: the built-in server's address when `server` is set. See docs/operating.md.
   */
  applicationServer?: string;
  /** The built-in HTTP server (queries, /metrics, health, status page); off unless given. */
  server?: ServerConfig;
}

export interface ServerConfig {
  /** 0 picks a free port (see Tributary#applicationServer). */
  port: number;
  /** Default 127.0.0.1: set '0.0.0.0' (and a token) to serve other hosts. */
  host?: string;
  /** Bearer token every route but /health/* requires. Default: env TRIBUTARY_HTTP_TOKEN, if set. */
  token?: string;
  /** A request is answered within this or gets 503. Default 5000 ms. */
  requestTimeoutMs?: number;
  /** A query forwarded to another instance waits this long for it. Default 2000 ms. */
  forwardTimeoutMs?: number;
  /** /health/ready wants total input lag at most this. Default 10 000 records. */
  readyMaxLag?: number;
}

export type KafkaClientName = 'kafkajs' | 'platformatic';

export function kafkaClientOf(config: TributaryConfig): KafkaClientName {
  const name = config.kafkaClient ?? process.env.TRIBUTARY_KAFKA_CLIENT ?? 'kafkajs';
  if (name !== 'kafkajs' && name !== 'platformatic')
    throw new TributaryError('CONFIG_INVALID', `unknown kafkaClient '${name}' (kafkajs or platformatic)`);
  return name;
}

/**
 * The config's record limits and buffering bounds with defaults filled in. CONFIG_INVALID for a bad
 * value (see resolveRecordLimits, resolveBuffering), so the constructor rejects it.
 */
export function boundsOf(config: TributaryConfig): {
  recordLimits: ResolvedRecordLimits;
  buffering: ResolvedBuffering;
} {
  return {
    recordLimits: resolveRecordLimits(config.recordLimits),
    buffering: resolveBuffering(config.buffering),
  };
}
