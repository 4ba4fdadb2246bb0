export { enqueueStep, stepJob, stepJobOptions, type StepJobSettings } from './step-jobs.js';
