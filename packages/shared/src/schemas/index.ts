export * from './agent-event.js';
export * from './job-catalog.js';
export * from './limits.js';
export * from './session.js';
export * from './start-session.js';
export * from './usage.js';
export * from './approval.js';
export * from './messages.js';
