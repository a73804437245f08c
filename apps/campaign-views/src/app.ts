import {
  type EventTimeMode,
  type KafkaPort,
  type KafkaSecurity,
  type Logger,
  type ServerConfig,
  Tributary,
} from '@tributary/core';
import { levelDbBackend } from '@tributary/state';
import { buildCampaignViewsTopology, type CampaignViewsOptions } from './topology.js';

export interface CampaignViewsAppOptions {
  bootstrapServers: string;
  /** TLS and SASL (docs/security.md). */
  security?: KafkaSecurity | undefined;
  applicationId?: string;
  inputTopic?: string;
  campaignsTopic?: string;
  outputDir: string;
  /** Parquet root of the per-banner sessions output (off when undefined). */
  sessionsOutputDir?: string;
  stateDir: string;
  graceMs?: number;
  idleTimeoutMs?: number;
  commitIntervalMs?: number;
  processingGuarantee?: 'at-least-once' | 'exactly-once';
  logger?: Logger;
  stats?: CampaignViewsOptions['stats'];
  /** Default 'watermark': minutes hold every view within grace whatever order partitions arrive in. */
  eventTime?: EventTimeMode;
  partitionIdleMs?: number;
  /** Kafka client port (tests wrap the default one, e.g. to slow a partition down). */
  kafka?: KafkaPort;
  /** The HTTP server (queries, /metrics, health, status page); off when undefined. */
  server?: ServerConfig;
  /** host:port other instances forward queries to (default: the server's address). */
  applicationServer?: string;
}

/** The streams process: invalid views go to `<input>-dlq` with the reason in headers. */
export function createCampaignViewsApp(o: CampaignViewsAppOptions): Tributary {
  const inputTopic = o.inputTopic ?? 'view_log';
  const topology = buildCampaignViewsTopology({
    inputTopic,
    campaignsTopic: o.campaignsTopic ?? 'campaigns',
    output: { kind: 'parquet', dir: o.outputDir },
    ...(o.sessionsOutputDir !== undefined
      ? { sessionsOutput: { kind: 'parquet' as const, dir: o.sessionsOutputDir } }
      : {}),
    ...(o.graceMs !== undefined ? { graceMs: o.graceMs } : {}),
    ...(o.idleTimeoutMs !== undefined ? { idleTimeoutMs: o.idleTimeoutMs } : {}),
    ...(o.stats ? { stats: o.stats } : {}),
  });
  return new Tributary(topology, {
    applicationId: o.applicationId ?? 'campaign-views',
    bootstrapServers: o.bootstrapServers,
    security: o.security,
    stateBackend: levelDbBackend({ stateDir: o.stateDir }),
    errorPolicy: { mode: 'dead-letter', topic: `${inputTopic}-dlq` },
    ...(o.commitIntervalMs !== undefined ? { commitIntervalMs: o.commitIntervalMs } : {}),
    ...(o.processingGuarantee ? { processingGuarantee: o.processingGuarantee } : {}),
    ...(o.logger ? { logger: o.logger } : {}),
    ...(o.eventTime ? { eventTime: o.eventTime } : {}),
    ...(o.partitionIdleMs !== undefined ? { partitionIdleMs: o.partitionIdleMs } : {}),
    ...(o.kafka ? { kafka: o.kafka } : {}),
    ...(o.server ? { server: o.server } : {}),
    ...(o.applicationServer ? { applicationServer: o.applicationServer } : {}),
  });
}
