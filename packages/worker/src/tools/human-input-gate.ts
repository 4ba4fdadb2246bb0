import { addJob, ASK_HUMAN_TOOL, type Question, questionTimeoutJobId, truncateText } from '@agentq/shared';
import type { GuardContext } from './guard-context.js';
import type { GuardDecision, ToolCall, ToolGuard } from './tool-guard.js';
import { errorOutcome } from './tool-outcome.js';

/** Who answers a question that timed out. */
export const TIMEOUT_ANSWERER = 'system';

/**
 * Answers the built-in `ask_human` tool. The first time a call is seen its question is stored, an
 * `input_requested` event fires, a `question-timeout` job is scheduled, and the session parks for input:
 * no worker waits. When the step runs again after `send`, the answer becomes the tool result; a question
 * that timed out is answered with an error the model can act on.
 */
export class HumanInputGate implements ToolGuard {
  readonly name = 'human-input';

  async check(ctx: GuardContext, call: ToolCall): Promise<GuardDecision> {
    if (call.tool.name !== ASK_HUMAN_TOOL) return { kind: 'run' };
    const { stores } = ctx.deps;
    const { sessionId } = ctx.session;
    const existing = await stores.questions.get(sessionId, call.block.id);
    if (existing?.answer !== undefined) return { kind: 'answer', outcome: answerOutcome(existing) };
    const now = Date.now();
    const question =
      existing ??
      (await stores.questions.ask(sessionId, {
        toolUseId: call.block.id,
        step: ctx.step,
        question: truncateText(String((call.input as { question?: unknown }).question ?? ''), 4000),
        askedAt: now,
        expiresAt: now + ctx.limits.approvalTimeoutMs,
      }));
    await addJob(
      ctx.deps.queue,
      'question-timeout',
      { sessionId, toolUseId: call.block.id },
      {
        jobId: questionTimeoutJobId(sessionId, call.block.id),
        delay: Math.max(0, question.expiresAt - Date.now()),
      },
    );
    if (!existing) {
      await ctx.emit('input_requested', { toolUseId: call.block.id, question: question.question, askedAt: question.askedAt, expiresAt: question.expiresAt });
      ctx.logger.info({ toolUseId: call.block.id }, 'question for the user');
    }
    return { kind: 'park', for: 'input' };
  }
}

function answerOutcome(question: Question): ReturnType<typeof errorOutcome> {
  if (question.answeredBy === TIMEOUT_ANSWERER) {
    return errorOutcome(question.toolUseId, ASK_HUMAN_TOOL, 'tool_timeout', question.answer ?? 'No answer came in time.');
  }
  return {
    toolUseId: question.toolUseId,
    tool: ASK_HUMAN_TOOL,
    content: question.answer ?? '',
    isError: false,
    attempts: 0,
    durationMs: (question.answeredAt ?? question.askedAt) - question.askedAt,
  };
}
