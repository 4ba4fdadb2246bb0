export { type CheckpointEvents, OUTBOX_FIELD_PREFIX, parseSession, SessionStore } from './session-store.js';
export { applyRetention, DEFAULT_RETENTION, expireCommittedCheckpoint, type Retention, RetentionEnv, retentionFromEnv, sessionDataKeys } from './retention.js';
