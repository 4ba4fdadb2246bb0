import { AgentqError, QuestionTimeoutJobData, sendMessage } from '@agentq/shared';
import { type Job, UnrecoverableError } from 'bullmq';
import type { TimeoutJobDeps } from './timeout-job-deps.js';
import { TIMEOUT_ANSWERER } from './human-input-gate.js';

/**
 * Runs a `question-timeout` job: an `ask_human` question still open at its expiry is answered by `system`
 * with a timeout notice (the model sees an error result), which resumes the session when it was the last
 * open one. An answered question is left alone.
 */
export async function handleQuestionTimeout(deps: TimeoutJobDeps, job: Job): Promise<'timed_out' | 'ignored'> {
  const parsed = QuestionTimeoutJobData.safeParse(job.data);
  if (!parsed.success) throw new UnrecoverableError(`malformed question-timeout job ${job.id}: ${parsed.error.message}`);
  const { sessionId, toolUseId } = parsed.data;
  const question = await deps.stores.questions.get(sessionId, toolUseId);
  if (!question || question.answer !== undefined) return 'ignored';
  try {
    const text = `No answer came within ${Math.round((question.expiresAt - question.askedAt) / 1000)} s; the question timed out. Go on without it or end the turn.`;
    await sendMessage(
      deps.stores,
      deps.queue,
      sessionId,
      text,
      { by: TIMEOUT_ANSWERER, toolUseId },
      { stepAttempts: deps.settings.stepAttempts, stepBackoffMs: deps.settings.stepBackoffMs },
    );
    deps.logger.info({ sessionId, toolUseId }, 'question timed out');
    return 'timed_out';
  } catch (error) {
    if (AgentqError.isInstance(error) && (error.code === 'session_not_waiting' || error.code === 'session_not_found')) return 'ignored';
    throw error;
  }
}
