export { type ArchivedEvent, parseEvent, parseTimestamp } from './event.js';
export {
  type EventGeneratorOptions,
  eventGenerator,
  type GeneratedEvent,
  generateEvents,
  MALFORMED_EVENTS,
  SOURCES,
} from './producer.js';
export { type ArchiveTopologyOptions, buildTopology, EVENT_SCHEMA } from './topology.js';
