import { z } from 'zod';

/**
 * Every failure agentq records carries one of these codes. Retry behaviour is decided from the code
 * alone, in {@link shouldRetry}, so that no call site invents its own policy.
 */
export const ErrorCode = z.enum([
  // job / payload
  'invalid_payload',
  'unknown_agent',
  'session_not_found',
  'session_exists',
  'limits_exceed_agent',
  // model call
  'model_rate_limited',
  'model_spend_limit',
  'model_overloaded',
  'model_server_error',
  'model_network_error',
  'model_timeout',
  'model_bad_request',
  'model_auth_error',
  'model_permission_error',
  'model_not_found',
  'model_request_too_large',
  'model_refusal',
  'model_context_window_exceeded',
  'model_max_tokens',
  /** A 200 whose body is not a Messages API response (`{}`, HTML, an error body, no usage). */
  'model_malformed_response',
  /** One turn named two tool_use blocks with the same id: their results could not be told apart. */
  'model_duplicate_tool_use',
  /** A turn (e.g. `pause_turn`) with no content to send back or act on. */
  'model_empty_turn',
  'model_unpriced',
  // tools
  'tool_timeout',
  'tool_rate_limited',
  'tool_permission_denied',
  'tool_failed',
  'tool_invalid_input',
  'tool_unknown',
  'tool_circuit_open',
  'tool_outcome_unknown',
  // budgets and guards
  'max_steps',
  'max_input_tokens',
  'max_output_tokens',
  'max_tokens_total',
  'max_cost',
  'deadline',
  'tenant_tokens',
  'tenant_cost',
  'loop_detected',
  // approvals and control
  'approval_not_found',
  'approval_already_decided',
  'approval_expired',
  'session_not_waiting',
  'cancelled',
  'config_invalid',
  // infrastructure
  'redis_unavailable',
  'session_stranded',
  'internal',
]);
export type ErrorCode = z.infer<typeof ErrorCode>;

function assertNever(value: never): never {
  throw new Error(`unhandled error code: ${String(value)}`);
}

/** Whether a step that failed with `code` should be attempted again by the queue. */
export function shouldRetry(code: ErrorCode): boolean {
  switch (code) {
    case 'model_rate_limited':
    case 'model_overloaded':
    case 'model_server_error':
    case 'model_network_error':
    case 'model_timeout':
    case 'tool_rate_limited':
    case 'redis_unavailable':
    case 'internal':
      return true;
    case 'invalid_payload':
    case 'unknown_agent':
    case 'session_not_found':
    case 'session_exists':
    case 'limits_exceed_agent':
    case 'model_spend_limit':
    case 'model_bad_request':
    case 'model_auth_error':
    case 'model_permission_error':
    case 'model_not_found':
    case 'model_request_too_large':
    case 'model_refusal':
    case 'model_context_window_exceeded':
    case 'model_max_tokens':
    case 'model_malformed_response': // a 200 that is not a Message: asking again pays again for the same broken gateway
    case 'model_duplicate_tool_use':
    case 'model_empty_turn':
    case 'model_unpriced':
    case 'tool_timeout':
    case 'tool_permission_denied':
    case 'tool_failed':
    case 'tool_invalid_input':
    case 'tool_unknown':
    case 'tool_circuit_open':
    case 'tool_outcome_unknown':
    case 'max_steps':
    case 'max_input_tokens':
    case 'max_output_tokens':
    case 'max_tokens_total':
    case 'max_cost':
    case 'deadline':
    case 'tenant_tokens':
    case 'tenant_cost':
    case 'loop_detected':
    case 'approval_not_found':
    case 'approval_already_decided':
    case 'approval_expired':
    case 'session_not_waiting':
    case 'cancelled':
    case 'config_invalid':
    case 'session_stranded':
      return false;
    default:
      return assertNever(code);
  }
}
