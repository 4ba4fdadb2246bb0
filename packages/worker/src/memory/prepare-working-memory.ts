import { AgentqError, type ChatMessage, type HistoryEntry, type HistoryWindow } from '@agentq/shared';
import { calibrationOf, type StepCheckpoint } from '@agentq/shared/internal';
import type Anthropic from '@anthropic-ai/sdk';
import { StepDeferred } from '../queue/job-signals.js';
import { cutToolResults } from './cut-tool-results.js';
import type { MemoryContext } from './memory-context.js';
import { advanceMemoryState, type MemoryState, memoryStateOf, readMemoryHash } from './memory-state.js';
import { foldIntoSummary } from './summarize.js';
import { calibrationRatio, estimateMessageTokens, estimatePrefixTokens } from './token-estimate.js';
import { thinkingSafeWindow } from './thinking-safe.js';
import { planWindow } from './window-plan.js';
import { buildWorkingMemory, type WorkingMemory, type WorkingMemoryView } from './working-memory.js';

/**
 * Working memory of one step (DESIGN.md step 4). Without `memory.windowTokens` the whole history goes.
 * With it: the pinned task, the rolling summary (in `systemNotes`) and the newest exchanges that fit the
 * window, sized by estimates calibrated against the usage the API reported for the previous step. When the
 * window overflows, the exchanges leaving it are folded into the summary by the summary model: once per
 * step (checkpointed), counted in usage; a failed summary never fails the step, the exchanges are cut with
 * a note instead and folded at a later step. `checkpoint` is the step's, and `loaded` its history, as its
 * load read them: the pinned task and what follows the summary, so a step's work here is the size of its
 * window, not of the session.
 */
export async function prepareWorkingMemory(
  ctx: MemoryContext,
  checkpoint: StepCheckpoint,
  loaded: HistoryWindow,
  refit?: { windowTokens: number },
): Promise<WorkingMemory> {
  const { deps, session, step, limits } = ctx;
  const sessionId = session.sessionId;
  const windowTokens = refit?.windowTokens ?? limits.memory.windowTokens;
  if (windowTokens === undefined) {
    // Without a window the whole history goes (a job that named a window start anyway read only part of it).
    return buildWorkingMemory(loaded.offset === 0 ? loaded.entries : await deps.stores.sessions.history(sessionId), limits);
  }
  const maxChars = limits.memory.maxToolResultChars;
  // A refit (the model's context window overflowed) folds a second time in the step, as a call of its own.
  const call = refit ? 'summary-refit' : 'summary';

  const saved = checkpoint.modelResponse(call);
  // A windowed step's job names where its history starts, and the load read the memory hash with it. A step
  // queued without (the first, a resumed one) reads it now, and so does a refit: it runs after this step's
  // first call may have folded, when the load's summary is stale.
  const memoryHash = loaded.memory !== undefined && !refit ? loaded.memory : await readMemoryHash(deps.stores, sessionId);
  let state: MemoryState;
  if (saved) {
    // This step already folded (a retried job): reuse it, and make sure the memory hash has it too.
    state = { ...(JSON.parse(saved) as MemoryState), foldedAt: step };
    await advanceMemoryState(deps.stores, sessionId, step, state);
  } else {
    state = memoryStateOf(memoryHash);
  }
  let { entries: history, offset } = loaded;
  if (state.foldedThrough < offset) {
    // The summary reaches less far than the load assumed (its hash was lost): the window needs the rest.
    history = await deps.stores.sessions.history(sessionId);
    offset = 0;
  }
  // Indices below are into the entries loaded; `offset` turns them into history indices.
  const at = (i: number) => i + offset;

  const messages = history.map((e) => e.message);
  const raw = messages.map((m, i) => (i === 0 ? 0 : estimateMessageTokens(cutToolResults(m, maxChars))));
  const ratio = await tokenRatio(ctx, { entries: history, offset }, state, raw, memoryHash);
  const tokens = raw.map((t) => Math.ceil(t * ratio));
  const plan = planWindow({
    messages,
    tokens,
    foldedThrough: state.foldedThrough - offset,
    // A retried step never folds twice: it keeps the window its checkpointed summary left.
    windowTokens: saved ? Number.POSITIVE_INFINITY : windowTokens,
    foldTo: limits.memory.foldTo,
  });

  let view: WorkingMemoryView = { start: plan.start, offset, ...(state.summary ? { summary: state.summary } : {}) };
  let folded = saved !== undefined;
  if (plan.fold) {
    const fold = { from: at(plan.fold.from), to: at(plan.fold.to) };
    try {
      state = { ...(await foldIntoSummary(ctx, state, history.slice(plan.fold.from, plan.fold.to + 1), fold, call)), foldedAt: step };
      await advanceMemoryState(deps.stores, sessionId, step, state);
      view = { start: plan.start, offset, summary: state.summary };
      folded = true;
    } catch (error) {
      if (error instanceof StepDeferred) throw error;
      const code = AgentqError.isInstance(error) ? error.code : 'internal';
      const message = error instanceof Error ? error.message : String(error);
      ctx.logger.warn({ code, err: message, fold }, 'summary failed; cutting the oldest turns without it');
      await ctx.emit('summary_failed', {
        model: limits.memory.summaryModel,
        code,
        message: message.slice(0, 500),
        droppedFrom: fold.from,
        droppedThrough: fold.to,
      });
      view = { ...view, dropped: fold };
    }
  }

  // A fold changed the prefix of every thinking block produced before it: those go (see thinking-safe.ts).
  const safe = thinkingSafeWindow(history, state.foldedAt);
  const memory: WorkingMemory = {
    ...buildWorkingMemory(safe.entries, limits, view),
    // A cut without a summary (the summary call failed) is undone at a later step: a prefix change either way.
    dropStaleThinking: safe.carriesStaleThinking || view.dropped !== undefined,
    folded: folded || view.dropped !== undefined,
  };
  // Only a session with a window of its own reads from there next step: a refit's fold does not make one.
  if (limits.memory.windowTokens !== undefined) memory.windowFrom = state.foldedThrough;
  // Saved with the step's model checkpoint, so the next step calibrates its estimates against the usage the
  // API reports for this prompt (see token-calibration.ts).
  memory.promptEstimate =
    estimatePrefixTokens([ctx.agent.system, ...memory.systemNotes], toolDefinitions(ctx)) +
    memory.messages.reduce((sum, m) => sum + estimateMessageTokens(m), 0);
  ctx.logger.debug(
    { start: at(plan.start), windowTokens: plan.windowTokens, ratio, foldedThrough: state.foldedThrough, messages: memory.messages.length },
    'working memory',
  );
  return memory;
}

/**
 * Reported ÷ estimated tokens: from `count_tokens` on this step's candidate prompt when `memory.countTokens`
 * is on, else from the previous step's reported usage and the estimate of the prompt it sent, as the load read them.
 */
async function tokenRatio(
  ctx: MemoryContext,
  history: { entries: readonly HistoryEntry[]; offset: number },
  state: MemoryState,
  raw: number[],
  memoryHash: Record<string, string>,
): Promise<number> {
  const { deps, step, limits } = ctx;
  if (limits.memory.countTokens) {
    const { offset } = history;
    const start = state.foldedThrough - offset + 1;
    const candidate = buildWorkingMemory(history.entries, limits, { start, offset, ...(state.summary ? { summary: state.summary } : {}) });
    const system = [ctx.agent.system, ...candidate.systemNotes];
    const tools = toolDefinitions(ctx);
    try {
      const counted = await deps.model.sdk.messages.countTokens(
        {
          model: ctx.agent.model,
          system: system.filter((t) => t !== '').map((text) => ({ type: 'text' as const, text })),
          messages: candidate.messages as Anthropic.MessageParam[],
          ...(tools.length > 0 ? { tools } : {}),
        },
        { signal: deps.shutdownSignal },
      );
      const estimate =
        estimatePrefixTokens(system, tools) + estimateMessageTokens(candidate.messages[0] as ChatMessage) + raw.slice(start).reduce((a, b) => a + b, 0);
      return calibrationRatio(counted.input_tokens, estimate);
    } catch (error) {
      ctx.logger.warn({ err: error instanceof Error ? error.message : String(error) }, 'count_tokens failed; using the calibrated estimate');
    }
  }
  if (step === 0) return 1;
  const previous = calibrationOf(memoryHash, step - 1);
  return previous ? calibrationRatio(previous.reported, previous.estimate) : 1;
}

function toolDefinitions(ctx: MemoryContext): Anthropic.Tool[] {
  return [...ctx.agent.tools.values()].map((tool) => ({
    name: tool.name,
    description: tool.description,
    input_schema: tool.inputSchema as Anthropic.Tool.InputSchema,
  }));
}
