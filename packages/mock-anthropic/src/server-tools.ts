import { hashBase62 } from './ids.js';
import type { ServerToolName } from './script.js';
import type { Message, OutputBlock, ServerToolResultBlock, Usage } from './wire-types.js';
import type { ToolDefinition } from './validate-request.js';

// A code-execution container lives this long after its last use, as the API's `container.expires_at` says.
const CONTAINER_TTL_MS = 30 * 60_000;

/** `srvtoolu_01` + 22 base62 characters, derived from the turn so a retried request answers the same ids. */
export function serverToolUseId(conversation: string, turn: number, index: number): string {
  return `srvtoolu_01${hashBase62(`srvtoolu:${conversation}:${turn}:${index}`, 22)}`;
}

/** Whether the request declared the server tool: a model cannot use a tool it was not given. */
export function declaresServerTool(tools: readonly ToolDefinition[], name: ServerToolName): boolean {
  return tools.some((t) => t.name === name && typeof t.type === 'string' && t.type.startsWith(`${name}_`));
}

/** The result block Anthropic's side writes after a server tool ran: deterministic, derived from the input. */
export function serverToolResult(name: ServerToolName, id: string, input: Record<string, unknown>): ServerToolResultBlock {
  const caller = { type: 'direct' } as const;
  switch (name) {
    case 'web_search': {
      const query = typeof input.query === 'string' ? input.query : JSON.stringify(input);
      return {
        type: 'web_search_tool_result',
        tool_use_id: id,
        caller,
        content: [1, 2].map((n) => ({
          type: 'web_search_result',
          url: `https://example.com/search/${hashBase62(`${query}:${n}`, 10)}`,
          title: `Result ${n} for ${query}`,
          encrypted_content: hashBase62(`enc:${query}:${n}`, 40),
          page_age: null,
        })),
      };
    }
    case 'web_fetch': {
      const url = typeof input.url === 'string' ? input.url : 'https://example.com/';
      return {
        type: 'web_fetch_tool_result',
        tool_use_id: id,
        caller,
        content: {
          type: 'web_fetch_result',
          url,
          retrieved_at: null,
          content: { type: 'document', source: { type: 'text', media_type: 'text/plain', data: `Contents of ${url}` }, title: null, citations: null },
        },
      };
    }
    case 'code_execution': {
      const code = typeof input.code === 'string' ? input.code : typeof input.command === 'string' ? input.command : '';
      return {
        type: 'code_execution_tool_result',
        tool_use_id: id,
        content: { type: 'code_execution_result', stdout: `ran ${Array.from(code).length} characters\n`, stderr: '', return_code: 0, content: [] },
      };
    }
  }
}

/** `usage.server_tool_use` for a response's content: web search and fetch requests; null when it used none. */
export function serverToolUsage(content: readonly OutputBlock[]): Usage['server_tool_use'] {
  let web_search_requests = 0;
  let web_fetch_requests = 0;
  for (const block of content) {
    if (block.type !== 'server_tool_use') continue;
    if (block.name === 'web_search') web_search_requests++;
    if (block.name === 'web_fetch') web_fetch_requests++;
  }
  return web_search_requests + web_fetch_requests > 0 ? { web_search_requests, web_fetch_requests } : null;
}

/** The container a response that ran code names, one per conversation (the API reuses it while it lives). */
export function containerFor(content: readonly OutputBlock[], conversation: string, now: number): Message['container'] {
  if (!content.some((b) => b.type === 'code_execution_tool_result')) return null;
  return { id: `container_01${hashBase62(`container:${conversation}`, 22)}`, expires_at: new Date(now + CONTAINER_TTL_MS).toISOString(), skills: null };
}
