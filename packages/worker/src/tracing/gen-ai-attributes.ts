/**
 * The OpenTelemetry GenAI semantic-convention names agentq's spans carry (operation, provider, models, usage,
 * tool, conversation), plus agentq's own under `agentq.*`. One place, so spans and docs cannot drift apart.
 */
export const GEN_AI = {
  operationName: 'gen_ai.operation.name',
  providerName: 'gen_ai.provider.name',
  /** The older name of the provider attribute, still read by many backends. */
  system: 'gen_ai.system',
  agentName: 'gen_ai.agent.name',
  conversationId: 'gen_ai.conversation.id',
  requestModel: 'gen_ai.request.model',
  requestMaxTokens: 'gen_ai.request.max_tokens',
  responseModel: 'gen_ai.response.model',
  responseId: 'gen_ai.response.id',
  finishReasons: 'gen_ai.response.finish_reasons',
  inputTokens: 'gen_ai.usage.input_tokens',
  outputTokens: 'gen_ai.usage.output_tokens',
  cacheReadTokens: 'gen_ai.usage.cache_read.input_tokens',
  cacheWriteTokens: 'gen_ai.usage.cache_creation.input_tokens',
  toolName: 'gen_ai.tool.name',
  toolCallId: 'gen_ai.tool.call.id',
  toolType: 'gen_ai.tool.type',
  errorType: 'error.type',
} as const;

export const AGENTQ = {
  step: 'agentq.step',
  jobId: 'agentq.job.id',
  attempt: 'agentq.step.attempt',
  result: 'agentq.step.result',
  tenant: 'agentq.tenant',
} as const;

export const PROVIDER = 'anthropic';
