import type { MockServer } from '@agentq/mock-anthropic';

export interface SentToolResult {
  tool_use_id: string;
  content: string;
  is_error?: boolean;
}

/** Every tool_result block the model was sent, across all recorded requests, deduplicated by tool_use_id. */
export function toolResultsSent(mock: MockServer): SentToolResult[] {
  const byId = new Map<string, SentToolResult>();
  for (const request of mock.requests()) {
    const body = request.body as { messages?: Array<{ role: string; content: unknown }> } | null;
    for (const message of body?.messages ?? []) {
      if (message.role !== 'user' || !Array.isArray(message.content)) continue;
      for (const block of message.content as Array<{ type: string } & SentToolResult>) {
        if (block.type !== 'tool_result') continue;
        const content = typeof block.content === 'string' ? block.content : JSON.stringify(block.content);
        byId.set(block.tool_use_id, { tool_use_id: block.tool_use_id, content, ...(block.is_error ? { is_error: true } : {}) });
      }
    }
  }
  return [...byId.values()];
}

/** Polls `check` until it returns a value other than undefined, or throws after `timeoutMs`. */
export async function until<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let delay = 10;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, delay));
    delay = Math.min(delay * 2, 200);
  }
}
