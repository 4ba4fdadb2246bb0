import type { ErrorBody } from './wire-types.js';

/** The error type the real API pairs with each status. */
export function defaultErrorType(status: number): string {
  switch (status) {
    case 400:
      return 'invalid_request_error';
    case 401:
      return 'authentication_error';
    case 402:
      return 'billing_error';
    case 403:
      return 'permission_error';
    case 404:
      return 'not_found_error';
    case 413:
      return 'request_too_large';
    case 429:
      return 'rate_limit_error';
    case 504:
      return 'timeout_error';
    case 529:
      return 'overloaded_error';
    default:
      return status >= 500 ? 'api_error' : 'invalid_request_error';
  }
}

export function defaultErrorMessage(status: number): string {
  switch (status) {
    case 400:
      return 'Invalid request.';
    case 401:
      return 'invalid x-api-key';
    case 403:
      return 'Your API key does not have permission to use the specified resource.';
    case 404:
      return 'Not found';
    case 413:
      return 'Request exceeds the maximum allowed number of bytes.';
    case 429:
      return 'This request would exceed your organization’s rate limit. For details, refer to: https://docs.claude.com/en/api/rate-limits.';
    case 529:
      return 'Overloaded';
    default:
      return status >= 500 ? 'Internal server error' : 'Invalid request.';
  }
}

/** An error to be answered as the API's JSON error body. */
export class MockApiError extends Error {
  readonly status: number;
  readonly type: string;
  readonly headers: Record<string, string>;

  constructor(status: number, message: string, type?: string, headers: Record<string, string> = {}) {
    super(message);
    this.name = 'MockApiError';
    this.status = status;
    this.type = type ?? defaultErrorType(status);
    this.headers = headers;
  }
}

export function invalidRequest(message: string): MockApiError {
  return new MockApiError(400, message, 'invalid_request_error');
}

export function errorBody(type: string, message: string, requestId: string): ErrorBody {
  return { type: 'error', error: { type, message }, request_id: requestId };
}
