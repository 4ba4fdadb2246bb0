import { AgentqError, costMicroUsd, type HistoryEntry, utcDay } from '@agentq/shared';
import { type ModelCall, modelCallId } from '@agentq/shared/internal';
import type Anthropic from '@anthropic-ai/sdk';
import { pricesOf } from '../budget/model-call-budget.js';
import { governedCreate } from '../governor/governed-create.js';
import { classifyModelError } from '../model/classify-model-error.js';
import { tokenCounts } from '../model/token-counts.js';
import { StepDeferred } from '../queue/job-signals.js';
import type { MemoryContext } from './memory-context.js';
import type { MemoryState } from './memory-state.js';
import { summarySystemPrompt, summaryUserPrompt } from './summary-prompt.js';

// A tool result inside a summary prompt is cut shorter than in working memory: the summary keeps outcomes,
// not payloads.
const SUMMARY_RESULT_CHARS = 2000;

/**
 * Folds `entries` into the summary with the cheap summary model, once per step: the result is checkpointed
 * as the step's `summary` call (a retried step reuses it instead of calling the model again) and its usage
 * counted once.
 * Throws an AgentqError when the call fails; the caller degrades to a plain truncation.
 */
export async function foldIntoSummary(
  ctx: MemoryContext,
  previous: MemoryState,
  entries: readonly HistoryEntry[],
  fold: { from: number; to: number },
  call: Extract<ModelCall, 'summary' | 'summary-refit'> = 'summary',
): Promise<MemoryState> {
  const { deps, session, step, limits } = ctx;
  const memory = limits.memory;
  const params: Anthropic.MessageCreateParamsNonStreaming = {
    model: memory.summaryModel,
    max_tokens: memory.summaryMaxTokens,
    system: summarySystemPrompt(memory.summaryMaxTokens),
    messages: [{ role: 'user', content: summaryUserPrompt(previous.summary, entries, Math.min(SUMMARY_RESULT_CHARS, memory.maxToolResultChars)) }],
  };
  const result = await callSummaryModel(ctx, params);
  const text = result.message.content
    .filter((b): b is Anthropic.TextBlock => b.type === 'text')
    .map((b) => b.text)
    .join('')
    .trim();
  if (text === '') throw new AgentqError('internal', `summary model ${params.model} returned no text`);
  // Bounded whatever the model did: the summary is resent at every step.
  const summary = text.slice(0, memory.summaryMaxTokens * 4);
  // The UTC day rides along so a retry settles the tenant's usage on the same day (idempotent per day and id).
  const next: MemoryState & { day: string } = { summary, foldedThrough: fold.to, day: utcDay() };
  const counts = tokenCounts(result.message.usage);
  const cost = costMicroUsd(result.message.model ?? params.model, counts, pricesOf(ctx));
  // Checkpoint and usage in one script, as for the step's own model call.
  const { stored, counted } = await deps.stores.sessions.checkpoints.saveModelCall(session.sessionId, step, call, JSON.stringify(next), {
    ...counts,
    costMicroUsd: cost,
  });
  const winner = JSON.parse(stored) as MemoryState & { day?: string };
  if (session.tenant) {
    // The tenant's daily budget counts summary calls too (no reservation: the call is small and already made).
    await deps.ledger.settleTenant(session.tenant, winner.day ?? utcDay(), modelCallId(session.sessionId, step, call), counts, cost);
  }
  if (counted) {
    await ctx.emit('summary_created', {
      model: params.model,
      foldedFrom: fold.from,
      foldedThrough: fold.to,
      messages: entries.length,
      summaryChars: winner.summary.length,
      latencyMs: result.latencyMs,
      usage: { ...counts, costUsd: cost / 1_000_000 },
    });
  }
  return { summary: winner.summary, foldedThrough: winner.foldedThrough };
}

/**
 * The one place the summary model is called: paced by the fleet's rate-limit governor like the step's own
 * call. A governor without capacity does not pause the queue for an optional call: it fails the summary
 * (`model_rate_limited`) and the step goes on without it. Errors come back classified like a step's.
 */
async function callSummaryModel(ctx: MemoryContext, params: Anthropic.MessageCreateParamsNonStreaming) {
  try {
    return await governedCreate({
      model: ctx.deps.model,
      governor: ctx.deps.governor,
      params,
      tenant: ctx.session.tenant,
      signal: ctx.deps.shutdownSignal,
      logger: ctx.logger,
      emit: (type, data) => ctx.emit(type, data),
    });
  } catch (error) {
    // The governor has no capacity for the call (the tenant's share or the fleet's): the whole step waits, summary included.
    if (error instanceof StepDeferred) throw error;
    const cls = classifyModelError(error);
    throw new AgentqError(cls.code, cls.message, { cause: error, details: { status: cls.status, retryAfterMs: cls.retryAfterMs } });
  }
}
