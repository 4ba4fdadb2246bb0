import Anthropic from '@anthropic-ai/sdk';
import { classifyModelError, type ModelErrorClass } from '../model/classify-model-error.js';
import type { ModelMessage } from '../model/model-client.js';

export type BatchItemResult = Anthropic.Messages.MessageBatchResult;

/** The result of one batch request as the step sees it: the message, or the error class a direct call would get. */
export type BatchOutcome = { ok: true; message: ModelMessage } | { ok: false; error: ModelErrorClass };

/** The HTTP status the API answers each error type with, so a batch item's error classifies as the direct call's would. */
const STATUS_OF_TYPE: Record<string, number> = {
  invalid_request_error: 400,
  authentication_error: 401,
  billing_error: 402,
  permission_error: 403,
  not_found_error: 404,
  request_too_large: 413,
  rate_limit_error: 429,
  api_error: 500,
  timeout_error: 504,
  overloaded_error: 529,
};

/**
 * Maps a batch result to the step's terms: `succeeded` is the message; `errored` carries the error body the
 * direct call would have got and is classified by the same {@link classifyModelError}; `expired` (not
 * processed within 24 hours) and `canceled` (the batch was cancelled first) are timeouts, retried by the
 * same rule as a direct call that timed out.
 */
export function readBatchResult(result: BatchItemResult): BatchOutcome {
  switch (result.type) {
    case 'succeeded':
      return { ok: true, message: result.message };
    case 'errored': {
      const inner = (result.error as { error?: { type?: string; message?: string } } | undefined)?.error;
      const status = STATUS_OF_TYPE[inner?.type ?? ''] ?? 500;
      return { ok: false, error: classifyModelError(Anthropic.APIError.generate(status, result.error, inner?.message, new Headers())) };
    }
    case 'expired':
      return {
        ok: false,
        error: { code: 'model_timeout', message: 'the batch expired before this request was processed', status: undefined, retryAfterMs: undefined },
      };
    case 'canceled':
      return {
        ok: false,
        error: { code: 'model_timeout', message: 'the batch was canceled before this request was processed', status: undefined, retryAfterMs: undefined },
      };
    default:
      return {
        ok: false,
        error: { code: 'internal', message: `unknown batch result type ${(result as { type?: string }).type}`, status: undefined, retryAfterMs: undefined },
      };
  }
}
