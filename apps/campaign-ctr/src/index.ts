export {
  type CampaignCtrAppOptions,
  type CampaignNetworksAppOptions,
  createCampaignCtrApp,
  createCampaignNetworksApp,
} from './app.js';
export { type Click, parseClick, toClick } from './click.js';
export { type CtrAcc, type CtrEvent, countEvent, emptyCtrAcc } from './ctr-events.js';
export {
  type ClickGeneratorOptions,
  type GeneratedClick,
  type GeneratedClickKind,
  generateClicks,
} from './generator.js';
export { type CtrTruth, ctrGroundTruth } from './ground-truth.js';
export {
  buildCampaignNetworksTopology,
  CAMPAIGN_NETWORKS_TOPIC,
  type CampaignNetwork,
  type CampaignNetworksOptions,
  DEFAULT_NETWORKS_CSV,
  loadNetworks,
  type Network,
  networksDeadLetterTopic,
  parseNetworks,
  readNetworks,
} from './networks.js';
export { interleave, type ProduceCtrOptions, produceCtrData } from './producer.js';
export { clickSerde, viewSerde } from './serdes.js';
export { ensureCtrTopics } from './topics.js';
export {
  buildCampaignCtrTopology,
  type CampaignCtrMinute,
  type CampaignCtrOptions,
  CLICK_WINDOW_MS,
  CTR_OUTPUT_SCHEMA,
  ctrDeadLetterTopic,
} from './topology.js';
