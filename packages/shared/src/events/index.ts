export { EventLog, type EventInput, type EventLogOptions } from './event-log.js';
