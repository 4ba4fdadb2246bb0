/**
 * The subset of the Messages API wire format the mock produces.
 *
 * Kept local instead of importing `@anthropic-ai/sdk` types so the published
 * declarations do not depend on a package that is only a dev dependency.
 */

export type StopReason = 'end_turn' | 'max_tokens' | 'stop_sequence' | 'tool_use' | 'pause_turn' | 'refusal' | 'model_context_window_exceeded';

export const STOP_REASONS: readonly StopReason[] = [
  'end_turn',
  'max_tokens',
  'stop_sequence',
  'tool_use',
  'pause_turn',
  'refusal',
  'model_context_window_exceeded',
];

export interface TextBlock {
  type: 'text';
  text: string;
  citations: null;
}

export interface ToolUseBlock {
  type: 'tool_use';
  id: string;
  name: string;
  input: Record<string, unknown>;
  caller: { type: 'direct' };
}

export interface ThinkingBlock {
  type: 'thinking';
  thinking: string;
  signature: string;
}

/** A server tool the model ran on Anthropic's side (web search, web fetch, code execution). */
export interface ServerToolUseBlock {
  type: 'server_tool_use';
  id: string;
  name: 'web_search' | 'web_fetch' | 'code_execution';
  input: Record<string, unknown>;
  caller: { type: 'direct' };
}

export interface WebSearchToolResultBlock {
  type: 'web_search_tool_result';
  tool_use_id: string;
  caller: { type: 'direct' };
  content: Array<{ type: 'web_search_result'; url: string; title: string; encrypted_content: string; page_age: string | null }>;
}

export interface WebFetchToolResultBlock {
  type: 'web_fetch_tool_result';
  tool_use_id: string;
  caller: { type: 'direct' };
  content: {
    type: 'web_fetch_result';
    url: string;
    retrieved_at: string | null;
    content: { type: 'document'; source: { type: 'text'; media_type: 'text/plain'; data: string }; title: string | null; citations: null };
  };
}

export interface CodeExecutionToolResultBlock {
  type: 'code_execution_tool_result';
  tool_use_id: string;
  content: { type: 'code_execution_result'; stdout: string; stderr: string; return_code: number; content: [] };
}

export type ServerToolResultBlock = WebSearchToolResultBlock | WebFetchToolResultBlock | CodeExecutionToolResultBlock;

export type OutputBlock = TextBlock | ToolUseBlock | ThinkingBlock | ServerToolUseBlock | ServerToolResultBlock;

export interface RefusalStopDetails {
  type: 'refusal';
  category: null;
  explanation: null;
}

export interface Usage {
  input_tokens: number;
  cache_creation_input_tokens: number;
  cache_read_input_tokens: number;
  cache_creation: { ephemeral_5m_input_tokens: number; ephemeral_1h_input_tokens: number };
  output_tokens: number;
  output_tokens_details: { thinking_tokens: number } | null;
  /** Server tool requests the call made; null when it made none. */
  server_tool_use: { web_search_requests: number; web_fetch_requests: number } | null;
  service_tier: 'standard' | 'priority' | 'batch';
  inference_geo: null;
  speed: 'standard';
}

export interface Message {
  id: string;
  type: 'message';
  role: 'assistant';
  model: string;
  content: OutputBlock[];
  stop_reason: StopReason;
  stop_sequence: string | null;
  stop_details: RefusalStopDetails | null;
  /** The code-execution container the call ran in, when it ran code. */
  container: { id: string; expires_at: string; skills: null } | null;
  diagnostics: null;
  usage: Usage;
  /** Present when the prefix check dropped thinking blocks the request sent back (`drop_block`). */
  input_transformations?: Array<{ type: 'thinking_dropped'; path: string; reason: 'prefix_binding_mismatch' }>;
}

export interface ErrorBody {
  type: 'error';
  error: { type: string; message: string };
  request_id: string;
}
