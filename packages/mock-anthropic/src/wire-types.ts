/**
 * The subset of the Messages API wire format the mock produces.
 *
 * Kept local instead of importing `@anthropic-ai/sdk` types so the published
 * declarations do not depend on a package that is only a dev dependency.
 */

export type StopReason =
  | 'end_turn'
  | 'max_tokens'
  | 'stop_sequence'
  | 'tool_use'
  | 'pause_turn'
  | 'refusal'
  | 'model_context_window_exceeded';

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

export type OutputBlock = TextBlock | ToolUseBlock | ThinkingBlock;

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
  server_tool_use: null;
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
  container: null;
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
