import { type KafkaSecurity, type Logger, Tributary } from '@tributary/core';
import { levelDbBackend } from '@tributary/state';
import {
  buildCampaignNetworksTopology,
  type CampaignNetworksOptions,
  networksDeadLetterTopic,
} from './networks.js';
import { buildCampaignCtrTopology, type CampaignCtrOptions, ctrDeadLetterTopic } from './topology.js';

export interface CampaignCtrAppOptions
  extends Omit<CampaignCtrOptions, 'output' | 'viewTopic' | 'clickTopic' | 'lateTopic'> {
  bootstrapServers: string;
  /** TLS and SASL (docs/security.md). */
  security?: KafkaSecurity | undefined;
  applicationId?: string;
  viewTopic?: string;
  clickTopic?: string;
  lateTopic?: string;
  outputDir: string;
  stateDir: string;
  commitIntervalMs?: number;
  processingGuarantee?: 'at-least-once' | 'exactly-once';
  logger?: Logger;
}

/** The streams process: invalid views go to `<view topic>-dlq`, invalid clicks to `<click topic>-dlq`. */
export function createCampaignCtrApp(o: CampaignCtrAppOptions): Tributary {
  const viewTopic = o.viewTopic ?? 'view_log';
  const clickTopic = o.clickTopic ?? 'click_log';
  const {
    bootstrapServers,
    security,
    applicationId,
    outputDir,
    stateDir,
    commitIntervalMs,
    processingGuarantee,
    logger,
    ...rest
  } = o;
  const topology = buildCampaignCtrTopology({
    ...rest,
    viewTopic,
    clickTopic,
    output: { kind: 'parquet', dir: outputDir },
  });
  return new Tributary(topology, {
    applicationId: applicationId ?? 'campaign-ctr',
    bootstrapServers,
    security,
    stateBackend: levelDbBackend({ stateDir }),
    errorPolicy: { mode: 'dead-letter', topic: ctrDeadLetterTopic(viewTopic, clickTopic) },
    ...(commitIntervalMs !== undefined ? { commitIntervalMs } : {}),
    ...(processingGuarantee ? { processingGuarantee } : {}),
    ...(logger ? { logger } : {}),
  });
}

export interface CampaignNetworksAppOptions extends CampaignNetworksOptions {
  bootstrapServers: string;
  /** TLS and SASL (docs/security.md). */
  security?: KafkaSecurity | undefined;
  /** Default `campaign-ctr-networks`; its own consumer group and internal topics. */
  applicationId?: string;
  stateDir: string;
  commitIntervalMs?: number;
  processingGuarantee?: 'at-least-once' | 'exactly-once';
  logger?: Logger;
}

/**
 * The opt-in campaign-networks process (`streams --networks-topic`): campaigns joined with their
 * network on the foreign key, kept in a compacted topic. Bad campaign or network records go to
 * `<topic>-dlq`.
 */
export function createCampaignNetworksApp(o: CampaignNetworksAppOptions): Tributary {
  const {
    bootstrapServers,
    security,
    applicationId,
    stateDir,
    commitIntervalMs,
    processingGuarantee,
    logger,
    ...rest
  } = o;
  return new Tributary(buildCampaignNetworksTopology(rest), {
    applicationId: applicationId ?? 'campaign-ctr-networks',
    bootstrapServers,
    security,
    stateBackend: levelDbBackend({ stateDir }),
    errorPolicy: { mode: 'dead-letter', topic: networksDeadLetterTopic },
    ...(commitIntervalMs !== undefined ? { commitIntervalMs } : {}),
    ...(processingGuarantee ? { processingGuarantee } : {}),
    ...(logger ? { logger } : {}),
  });
}
