import type { AgentEvent } from '@agentq/shared';

/**
 * A session's events once one of `type` is among them. A session's end is recorded before its closing event
 * is appended, so tests poll for the event (never sleep).
 */
export async function eventsUntil(
  h: { producer: { events(id: string): Promise<AgentEvent[]> } },
  sessionId: string,
  type: AgentEvent['type'],
): Promise<AgentEvent[]> {
  const deadline = Date.now() + 10_000;
  let events = await h.producer.events(sessionId);
  while (!events.some((e) => e.type === type) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 20));
    events = await h.producer.events(sessionId);
  }
  return events;
}
