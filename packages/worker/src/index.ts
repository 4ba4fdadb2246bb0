export { startWorker, type AgentqWorker, type StartWorkerOptions } from './start-worker.js';
export { ModelClient, type ModelClientOptions, type ModelCallResult } from './model/model-client.js';
export { classifyModelError, readRetryAfter, type ModelErrorClass } from './model/classify-model-error.js';
export { processStep, type StepResult } from './step/process-step.js';
export type { StepDeps, StepSettings } from './step/step-deps.js';
export type { ToolGuard, GuardDecision, ToolCall } from './tools/tool-guard.js';
export type { ToolOutcome } from './tools/tool-outcome.js';
export { runTool } from './tools/run-tool.js';
export { readWorkerEnv, WorkerEnv } from './config/worker-env.js';
