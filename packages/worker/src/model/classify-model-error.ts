import Anthropic from '@anthropic-ai/sdk';
import { AgentqError, type ErrorCode } from '@agentq/shared';

export interface ModelErrorClass {
  code: ErrorCode;
  message: string;
  status: number | undefined;
  /** From `retry-after-ms` / `retry-after` on 429 and 529 responses. */
  retryAfterMs: number | undefined;
}

/** Phrases the API uses for 429s that are spend or credit limits, which waiting will not fix. */
const SPEND_LIMIT = /spend|credit balance|billing|usage limit|monthly limit|quota/i;
/** `error.details.error_code` of 429s that are spend limits (the SDK's EnforcedSpendLimitReachedError etc.). */
const SPEND_LIMIT_CODES = /spend_limit|credit|billing/i;

/**
 * Maps anything the SDK throws to an agentq error code. Decided by status and `error.type`, not by class
 * alone: errors that arrive mid-stream are plain APIErrors with `type: 'overloaded_error'`.
 */
export function classifyModelError(error: unknown): ModelErrorClass {
  // Already classified where it was found (a response that failed validation).
  if (AgentqError.isInstance(error)) return { code: error.code, message: error.message, status: undefined, retryAfterMs: undefined };
  if (error instanceof Anthropic.APIConnectionTimeoutError) {
    return { code: 'model_timeout', message: 'model call timed out', status: undefined, retryAfterMs: undefined };
  }
  if (error instanceof Anthropic.APIUserAbortError) {
    return { code: 'model_timeout', message: 'model call aborted', status: undefined, retryAfterMs: undefined };
  }
  if (error instanceof Anthropic.APIConnectionError) {
    return { code: 'model_network_error', message: `connection error: ${error.message}`, status: undefined, retryAfterMs: undefined };
  }
  if (error instanceof Anthropic.APIError) {
    const status = error.status;
    const type = error.type ?? bodyType(error.error);
    const message = error.apiMessage ?? error.message;
    const retryAfterMs = readRetryAfter(error.headers);
    const base = { message, status, retryAfterMs };
    if (type === 'overloaded_error' || status === 529) return { ...base, code: 'model_overloaded' };
    if (status === 429 || type === 'rate_limit_error') {
      return SPEND_LIMIT.test(message) || SPEND_LIMIT_CODES.test(error.errorCode ?? '')
        ? { ...base, code: 'model_spend_limit' }
        : { ...base, code: 'model_rate_limited' };
    }
    if (type === 'api_error' || (status !== undefined && status >= 500)) return { ...base, code: 'model_server_error' };
    switch (status) {
      case 400:
        return { ...base, code: 'model_bad_request' };
      case 401:
        return { ...base, code: 'model_auth_error' };
      case 402:
        // billing_error: no credit or a spend limit; waiting does not help.
        return { ...base, code: 'model_spend_limit' };
      case 403:
        return { ...base, code: 'model_permission_error' };
      case 404:
        return { ...base, code: 'model_not_found' };
      case 408:
        return { ...base, code: 'model_timeout' };
      case 409:
        return { ...base, code: 'model_server_error' };
      case 413:
        return { ...base, code: 'model_request_too_large' };
      default:
        return { ...base, code: status === undefined ? 'model_network_error' : 'model_bad_request' };
    }
  }
  const message = error instanceof Error ? error.message : String(error);
  return { code: 'model_network_error', message, status: undefined, retryAfterMs: undefined };
}

function bodyType(body: unknown): string | undefined {
  const inner = (body as { error?: { type?: unknown } } | undefined)?.error;
  return typeof inner?.type === 'string' ? inner.type : undefined;
}

export function readRetryAfter(headers: Headers | undefined): number | undefined {
  if (!headers) return undefined;
  const ms = Number(headers.get('retry-after-ms'));
  if (Number.isFinite(ms) && ms > 0) return ms;
  const raw = headers.get('retry-after');
  if (!raw) return undefined;
  const seconds = Number(raw);
  // A negative value is not a wait the API could mean: ignored (the caller's default applies).
  if (Number.isFinite(seconds)) return seconds >= 0 ? seconds * 1000 : undefined;
  const date = Date.parse(raw);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}
