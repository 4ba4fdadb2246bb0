import { describe, expect, it } from 'vitest';
import { batchCustomId, CUSTOM_ID_PATTERN } from './batch-custom-id.js';
import { readBatchResult } from './batch-result.js';

const errored = (type: string, message = 'm') => ({ type: 'errored' as const, error: { type: 'error' as const, error: { type, message }, request_id: null } });

describe('readBatchResult maps each batch result to the error class of the same direct call', () => {
  it.each([
    ['invalid_request_error', 'model_bad_request', 400],
    ['authentication_error', 'model_auth_error', 401],
    ['billing_error', 'model_spend_limit', 402],
    ['permission_error', 'model_permission_error', 403],
    ['not_found_error', 'model_not_found', 404],
    ['request_too_large', 'model_request_too_large', 413],
    ['rate_limit_error', 'model_rate_limited', 429],
    ['api_error', 'model_server_error', 500],
    ['timeout_error', 'model_server_error', 504],
    ['overloaded_error', 'model_overloaded', 529],
  ])('errored %s → %s (status %i)', (type, code, status) => {
    const outcome = readBatchResult(errored(type) as never);
    expect(outcome).toMatchObject({ ok: false, error: { code, status, message: 'm' } });
  });

  it('expired and canceled are timeouts; succeeded is the message', () => {
    expect(readBatchResult({ type: 'expired' })).toMatchObject({ ok: false, error: { code: 'model_timeout' } });
    expect(readBatchResult({ type: 'canceled' })).toMatchObject({ ok: false, error: { code: 'model_timeout' } });
    const message = { id: 'msg_1', content: [] } as never;
    expect(readBatchResult({ type: 'succeeded', message })).toEqual({ ok: true, message });
  });
});

describe('batchCustomId', () => {
  it('is deterministic per session, step and attempt, and always a valid custom_id', () => {
    expect(batchCustomId('ses_abc', 3, 1)).toBe('ses_abc-s3-b1');
    const long = 'x'.repeat(100);
    const id = batchCustomId(long, 12, 0);
    expect(id).toMatch(CUSTOM_ID_PATTERN);
    expect(id).toBe(batchCustomId(long, 12, 0));
    expect(id).not.toBe(batchCustomId(`${long}y`, 12, 0));
  });
});
