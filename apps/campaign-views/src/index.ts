export { type CampaignViewsAppOptions, createCampaignViewsApp } from './app.js';
export {
  type Campaign,
  DEFAULT_CAMPAIGNS_CSV,
  parseCampaigns,
  parseCsv,
  readCampaigns,
} from './campaigns.js';
export { type GeneratedView, type GeneratorOptions, generateViews, prng } from './generator.js';
export { groundTruth, type SessionTruth, sessionTruth, type Truth, truthCounts } from './ground-truth.js';
export { loadCampaigns, type ProduceOptions, produceViews } from './producer.js';
export { type RowsOutput, writeMinuteRows } from './rows-output.js';
export {
  addBannerSessions,
  type BannerSession,
  type BannerSessionsOptions,
  SESSION_GAP_MS,
  SESSIONS_SCHEMA,
} from './sessions.js';
export { ensureTopics } from './topics.js';
export {
  buildCampaignViewsTopology,
  type CampaignMinute,
  type CampaignViewsOptions,
  OUTPUT_SCHEMA,
  viewSerde,
} from './topology.js';
export { parseTimestamp, parseView, toView, type View, viewFromBytes } from './view.js';
