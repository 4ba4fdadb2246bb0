export { startTracing, tracesExporterOf, type Tracing, type TracingEnv } from './start-tracing.js';
export { traceStep, type StepTraceInfo } from './trace-step.js';
export { inSpan, recordError } from './in-span.js';
export { traceChat, type ChatTraceInfo } from './trace-chat.js';
export { traceTool, type ToolTraceInfo } from './trace-tool.js';
export { sessionTraceContext, formatTraceparent, parseTraceparent, TRACEPARENT_FIELD } from './session-trace.js';
export { GEN_AI, AGENTQ, PROVIDER } from './gen-ai-attributes.js';
export { agentqTracer } from './tracer.js';
