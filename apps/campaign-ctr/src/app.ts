import { type Logger, Tributary } from '@tributary/core';
import { levelDbBackend } from '@tributary/state';
import { buildCampaignCtrTopology, type CampaignCtrOptions, ctrDeadLetterTopic } from './topology.js';

export interface CampaignCtrAppOptions
  extends Omit<CampaignCtrOptions, 'output' | 'viewTopic' | 'clickTopic' | 'lateTopic'> {
  bootstrapServers: string;
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
    stateBackend: levelDbBackend({ stateDir }),
    errorPolicy: { mode: 'dead-letter', topic: ctrDeadLetterTopic(viewTopic, clickTopic) },
    ...(commitIntervalMs !== undefined ? { commitIntervalMs } : {}),
    ...(processingGuarantee ? { processingGuarantee } : {}),
    ...(logger ? { logger } : {}),
  });
}
