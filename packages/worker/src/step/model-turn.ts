import { AgentqError, type ChatMessage, costMicroUsd } from '@agentq/shared';
import type Anthropic from '@anthropic-ai/sdk';
import { classifyModelError } from '../model/classify-model-error.js';
import type { ModelMessage } from '../model/model-client.js';
import type { StepContext } from './step-context.js';

const CHECKPOINT_FIELD = 'model';

/**
 * The step's model call, made at most once: a retried step reuses the checkpointed response, and usage is
 * counted once however often the job runs.
 */
export async function modelTurn(ctx: StepContext, system: string, messages: ChatMessage[]): Promise<ModelMessage> {
  const { deps, session, step } = ctx;
  const saved = (await deps.stores.sessions.checkpoint(session.sessionId, step))[CHECKPOINT_FIELD];
  if (saved) {
    ctx.logger.debug('reusing checkpointed model response');
    return JSON.parse(saved) as ModelMessage;
  }
  const params: Anthropic.MessageCreateParamsNonStreaming = {
    model: ctx.agent.model,
    max_tokens: ctx.limits.maxTokensPerCall,
    system: [{ type: 'text', text: system, cache_control: { type: 'ephemeral' } }],
    messages: messages as Anthropic.MessageParam[],
  };
  const tools = [...ctx.agent.tools.values()].map((tool) => ({
    name: tool.name,
    description: tool.description,
    input_schema: tool.inputSchema as Anthropic.Tool.InputSchema,
  }));
  if (tools.length > 0) {
    const last = tools.length - 1;
    params.tools = tools.map((tool, i) => (i === last ? { ...tool, cache_control: { type: 'ephemeral' as const } } : tool));
  }

  let result;
  try {
    result = await deps.model.create(params, deps.shutdownSignal);
  } catch (error) {
    const cls = classifyModelError(error);
    await ctx.emit('model_error', { model: params.model, code: cls.code, status: cls.status, message: cls.message, retryAfterMs: cls.retryAfterMs });
    throw new AgentqError(cls.code, cls.message, { cause: error, details: { status: cls.status, retryAfterMs: cls.retryAfterMs } });
  }
  const stored = await deps.stores.sessions.putCheckpoint(session.sessionId, step, CHECKPOINT_FIELD, JSON.stringify(result.message));
  const message = JSON.parse(stored) as ModelMessage;
  const usage = message.usage;
  const counts = {
    inputTokens: usage.input_tokens ?? 0,
    outputTokens: usage.output_tokens ?? 0,
    cacheReadTokens: usage.cache_read_input_tokens ?? 0,
    cacheWriteTokens: usage.cache_creation_input_tokens ?? 0,
  };
  const cost = costMicroUsd(message.model ?? params.model, counts);
  const counted = await deps.stores.sessions.recordUsage(session.sessionId, step, 'usage:model', { ...counts, costMicroUsd: cost });
  if (counted) {
    await ctx.emit('model_call', {
      model: params.model,
      latencyMs: result.latencyMs,
      stopReason: message.stop_reason,
      usage: { ...counts, costUsd: cost / 1_000_000 },
      requestId: result.requestId,
    });
  }
  return message;
}
