export { enqueueStep, stepJob, stepJobOptions, type StepJobSettings } from './step-jobs.js';
export { enqueueApprovalTimeout } from './approval-timeout-jobs.js';
export { defaultJobRetention, type JobRetention, jobRetentionFor } from './job-retention.js';
export { WORKER_LIMITER } from './worker-limiter.js';
