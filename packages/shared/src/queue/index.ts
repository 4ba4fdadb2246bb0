export { enqueueStep, stepJob, stepJobOptions, type StepJobSettings } from './step-jobs.js';
export { enqueueApprovalTimeout } from './approval-timeout-jobs.js';
