export {
  generateVoters,
  MALFORMED_VOTERS,
  type VoterRecord,
  voterGenerator,
} from './producer.js';
export { buildTopology, COUNT_STORE, type VotersTopologyOptions } from './topology.js';
export {
  GENDERS,
  KEY_SEPARATOR,
  PARTIES,
  parseVoter,
  splitVoterKey,
  type Voter,
  type VoterStat,
  voterKey,
} from './voter.js';
