export { startMockAnthropic, type MockServer } from './server.js';
export { resolveCliConfig, type CliConfig } from './cli-config.js';
export type { BatchFailSpec, FailSpec, MockOptions, RuntimeOptions } from './options.js';
export type { RecordedRequest } from './request-log.js';
export { mockScript, type ScriptEntry, type ScriptAnswerEntry, type ScriptErrorEntry, type ScriptToolCall } from './script-builder.js';
export type { StopReason } from './wire-types.js';
