export { EventLog, decodeEvent, type EventInput, type EventLogOptions } from './event-log.js';
export { DeltaChannel, decodeDelta, type DeltaChannelOptions } from './delta-channel.js';
