export { BatchLane, BATCH_FLUSH_JOB, BATCH_POLL_JOB, type BatchCall } from './batch-lane.js';
export { type BatchLaneOptions, resolveBatchLaneOptions } from './batch-lane-options.js';
export { flushBatches } from './flush-batches.js';
export { pollBatches } from './poll-batches.js';
