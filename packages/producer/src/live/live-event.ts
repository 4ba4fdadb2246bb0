import type { AgentEvent, TextDelta } from '@agentq/shared';

/** What a subscription yields: the session's durable events, and with `deltas` the text of streaming calls. */
export type LiveEvent = AgentEvent | TextDelta;

/** Event types after which a session has nothing more to say (until a conversation continues it). */
export const SESSION_END_EVENTS: ReadonlySet<string> = new Set(['session_completed', 'session_failed', 'session_cancelled']);
