import type { Queue } from 'bullmq';
import { enqueueResume, type ResumeJobSettings } from '../approvals/resume-session.js';
import { AgentqError } from '../errors/agentq-error.js';
import type { Stores } from '../runtime-context.js';
import { sessionDataKeys } from '../session/retention.js';
import { MAX_MESSAGE_CHARS } from './question.js';
import type { SendResult } from './question-store.js';

export interface SendOptions {
  /** Who sent it; recorded on the answer and the `input_received` event. @defaultValue 'user' */
  by?: string;
  /** Answer this one question (tool_use id) only; used by the question's timeout. @defaultValue the oldest open one */
  toolUseId?: string;
}

export interface SendOutcome {
  sessionId: string;
  /** `answered`: an open `ask_human` question got this answer; `continued`: a new user turn started. */
  kind: 'answered' | 'continued';
  /** The session runs again (the last open question was answered, or a new turn started). */
  resumed: boolean;
  /** The question answered, when one was. */
  toolUseId?: string;
}

/**
 * Delivers a user's message to a session, records an `input_received` event and enqueues the step job the
 * transition calls for. A session waiting in `ask_human` gets the answer; a completed session (or one that
 * ended its turn waiting for input) continues with a new turn that has all its memory — budgets, loop state
 * and window carry over, as they belong to the session. Other sessions refuse with `session_not_waiting`.
 */
export async function sendMessage(
  stores: Stores,
  queue: Queue,
  sessionId: string,
  text: string,
  options: SendOptions = {},
  settings: ResumeJobSettings = {},
): Promise<SendOutcome> {
  if (typeof text !== 'string' || text.trim() === '') throw new AgentqError('invalid_payload', 'send: the message is empty');
  if (text.length > MAX_MESSAGE_CHARS) throw new AgentqError('invalid_payload', `send: the message is longer than ${MAX_MESSAGE_CHARS} characters`);
  const by = options.by ?? 'user';
  const result: SendResult = await stores.questions.send(sessionId, text, { by, ...(options.toolUseId ? { toolUseId: options.toolUseId } : {}) });
  if (result.kind === 'not_found') throw new AgentqError('session_not_found', `no session ${sessionId}`);
  if (result.kind === 'refused') {
    throw new AgentqError(
      'session_not_waiting',
      `session ${sessionId} is ${result.status.replace(/_/g, ' ')}: it takes a message only while it waits for input or once it has completed`,
      {
        details: { sessionId, status: result.status },
      },
    );
  }
  const session = await stores.sessions.get(sessionId);
  const step = result.kind === 'answered' ? (session?.step ?? 0) : result.step;
  await stores.events.append({
    sessionId,
    step,
    type: 'input_received',
    data: {
      by,
      chars: text.length,
      kind: result.kind === 'continued' ? 'turn' : 'answer',
      ...(result.kind !== 'continued' ? { toolUseId: result.toolUseId } : {}),
      resumed: result.kind !== 'answered',
    },
    ...(session?.agent ? { agent: session.agent } : {}),
    ...(session?.tenant ? { tenant: session.tenant } : {}),
  });
  if (result.kind === 'continued') {
    // A finished session's keys were given expiries; a continued one keeps its data again.
    const pipeline = stores.redis.pipeline().persist(stores.keys.session(sessionId));
    for (const key of await sessionDataKeys(stores.redis, stores.keys, sessionId)) pipeline.persist(key);
    await pipeline.exec();
  }
  if (result.kind === 'answered') return { sessionId, kind: 'answered', resumed: false, toolUseId: result.toolUseId };
  await enqueueResume(stores.sessions, queue, sessionId, result.step, result.resumeSuffix, settings);
  return result.kind === 'resumed'
    ? { sessionId, kind: 'answered', resumed: true, toolUseId: result.toolUseId }
    : { sessionId, kind: 'continued', resumed: true };
}
