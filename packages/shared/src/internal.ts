/**
 * `@agentq/shared/internal`: the Redis layout and script registry the agentq packages share with each other.
 * Not for agent authors or operators: key names and script arguments change with the scripts.
 */
export { Keys } from './redis/keys.js';
export { pipeScript, readScriptDir, rerunNoScript, runScript, type ScriptFile, ScriptRegistry, type ScriptName, scriptRegistry } from './redis/scripts.js';
export { duplicateRedis, isCluster, serverNodes } from './redis/create-redis.js';
export { pipelineBySlot } from './redis/by-slot.js';
export { CLUSTER_SLOTS, hashTagOf, keySlot } from './redis/key-slot.js';
export {
  type CheckpointEvents,
  type CheckpointUsage,
  type ModelCall,
  modelCallId,
  outboxField,
  StepCheckpoint,
  StepCheckpointStore,
} from './session/step-checkpoint.js';
export { listenHttp, type ListeningServer } from './http/listen-http.js';
export { parseHistoryLines } from './session/history-line.js';
export { type LoopTurnRequest, loopTurnRequest, loopVerdicts } from './loop/loop-detector.js';
export { calibrationOf, type TokenCalibration } from './session/token-calibration.js';
export type { PublishedOutbox } from './events/event-log.js';
