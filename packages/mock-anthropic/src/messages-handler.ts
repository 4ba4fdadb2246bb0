import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { errorBody, invalidRequest, MockApiError } from './api-error.js';
import { firstUserText } from './conversation.js';
import type { Fault } from './faults.js';
import { answerForTurn, generate, type Generated } from './generate.js';
import { canWrite, MAX_BODY_BYTES, readBody, sendError, sendJson } from './http-util.js';
import { conversationKey, newMessageId } from './ids.js';
import { buildMessage } from './message-builder.js';
import type { CachePlan } from './prompt-cache.js';
import type { BatchAnswer } from './batch-store.js';
import type { MockState } from './mock-state.js';
import { parseScript, stepForTurn, type ScriptAnswer } from './script.js';
import { streamMessage } from './sse.js';
import { promptSegments, totalTokens } from './token-count.js';
import { resolveTurn } from './turn-resolver.js';
import { validateRequest, type RequestKind, type ValidRequest } from './validate-request.js';

async function delay(ms: number): Promise<void> {
  if (ms > 0) await sleep(ms);
}

// Not a real HTTP answer: marks a request whose client left before it was answered.
const CLIENT_CLOSED = 499;

function hasCredentials(req: IncomingMessage): boolean {
  // Any key is accepted; the SDK's authToken option sends a bearer token instead of x-api-key.
  return req.headers['x-api-key'] !== undefined || req.headers.authorization !== undefined;
}

/** Reads, authenticates, parses and validates a Messages request; throws a MockApiError on the way out. */
async function readRequest(req: IncomingMessage, kind: RequestKind, onBody: (body: unknown) => void): Promise<ValidRequest> {
  const raw = await readBody(req, MAX_BODY_BYTES);
  if (raw.tooLarge) {
    throw new MockApiError(413, 'Request exceeds the maximum allowed number of bytes.', 'request_too_large');
  }
  let body: unknown = raw.text;
  try {
    body = JSON.parse(raw.text);
  } catch {
    onBody(body);
    if (!hasCredentials(req)) throw new MockApiError(401, 'x-api-key header is required', 'authentication_error');
    throw invalidRequest('There was an error parsing the body of your request: it is not valid JSON.');
  }
  onBody(body);
  if (!hasCredentials(req)) throw new MockApiError(401, 'x-api-key header is required', 'authentication_error');
  return validateRequest(body, kind);
}

/** `POST /v1/messages/count_tokens`: the same validation and count as a create, without generating. */
export async function handleCountTokens(req: IncomingMessage, res: ServerResponse, requestId: string): Promise<void> {
  try {
    const valid = await readRequest(req, 'count_tokens', () => undefined);
    sendJson(res, 200, { input_tokens: totalTokens(promptSegments(valid)) }, { 'request-id': requestId });
  } catch (err) {
    if (!(err instanceof MockApiError)) throw err;
    sendError(res, err, requestId, {});
  }
}

interface Prepared {
  inputTokens: number;
  conversation: string;
  k: number;
  answer: ScriptAnswer;
  plan: CachePlan;
  fault: Fault | undefined;
}

/** The conversation, its script and the turn a request is at (the same for a direct and a batched request). */
function scriptedTurn(valid: ValidRequest) {
  const segments = promptSegments(valid);
  const firstText = firstUserText(valid.turns);
  const conversation = conversationKey(firstText);
  const script = parseScript(firstText);
  const k = resolveTurn(valid.turns, conversation);
  const step = script ? stepForTurn(script, k, valid.model) : undefined;
  return { segments, conversation, script, k, step };
}

/** Everything decided before admission: tokens, cache split, scripted turn and any injected fault. */
function prepare(valid: ValidRequest, state: MockState): Prepared {
  const { segments, conversation, script, k, step } = scriptedTurn(valid);
  const inputTokens = totalTokens(segments);
  // The model stops at once when the prompt alone fills the conversation's context window.
  const overflow = script?.contextWindow !== undefined && inputTokens > script.contextWindow;
  return {
    inputTokens,
    conversation,
    k,
    answer: overflow ? { blocks: [], stopReason: 'model_context_window_exceeded' } : answerForTurn(valid, script, k),
    plan: state.cache.plan(valid.model, segments, Date.now()),
    fault: state.faults.next(state.options, step?.error ? { key: `${conversation}:${k}`, error: step.error } : undefined, valid.model),
  };
}

/**
 * Answers one `params` of a Message Batch with the same validation and scripted generation as `/v1/messages`
 * (a scripted error on the turn becomes the item's error). Batches bypass the rate limits, latency and the
 * `failNext` queue, which belong to the synchronous endpoint.
 */
export function answerBatchRequest(params: unknown, state: MockState): BatchAnswer {
  try {
    if (typeof params === 'object' && params !== null && (params as { stream?: unknown }).stream === true) {
      throw invalidRequest('stream: streaming is not supported for requests in a Message Batch');
    }
    const valid = validateRequest(params, 'create');
    const { segments, conversation, script, k, step } = scriptedTurn(valid);
    const fault = step?.error ? state.faults.next({ failRate: 0, overloadRate: 0 }, { key: `${conversation}:${k}`, error: step.error }) : undefined;
    if (fault) throw new MockApiError(fault.status, fault.message, fault.type);
    const plan = state.cache.plan(valid.model, segments, Date.now());
    plan.commit(Date.now());
    const generated = generate(answerForTurn(valid, script, k), valid, conversation, k);
    const message = buildMessage(newMessageId(), valid.model, generated, plan, [], conversation);
    message.usage.service_tier = 'batch';
    return { ok: true, message, inputTokens: totalTokens(segments), outputTokens: generated.outputTokens };
  } catch (err) {
    if (!(err instanceof MockApiError)) throw err;
    return { ok: false, error: err };
  }
}

/**
 * `POST /v1/messages`: validate, pick the scripted turn, apply injected
 * faults, then rate limits, then latency, then answer as JSON or SSE. Every
 * request is recorded, whatever it was answered.
 */
export async function handleMessages(req: IncomingMessage, res: ServerResponse, state: MockState, requestId: string): Promise<void> {
  const at = Date.now();
  const seq = state.log.arrive();
  let body: unknown = null;
  let model: string | null = null;
  let inputTokens = 0;
  let outputTokens = 0;
  const headers = (): Record<string, string> => ({ ...state.limiter.headers(Date.now()), 'request-id': requestId });
  const record = (status: number, error?: string): void => {
    state.log.add(seq, { at, status, requestId, model, inputTokens, outputTokens, ...(error ? { error } : {}), body });
  };
  const reject = (err: MockApiError): void => {
    const answered = canWrite(res);
    sendError(res, err, requestId, headers());
    record(answered ? err.status : CLIENT_CLOSED, err.type);
  };

  let valid: ValidRequest;
  try {
    valid = await readRequest(req, 'create', (b) => {
      body = b;
      const m = typeof b === 'object' && b !== null ? (b as { model?: unknown }).model : undefined;
      model = typeof m === 'string' ? m : null;
    });
  } catch (err) {
    if (!(err instanceof MockApiError)) throw err;
    return reject(err);
  }

  let prepared: Prepared;
  try {
    prepared = prepare(valid, state);
  } catch (err) {
    if (!(err instanceof MockApiError)) throw err;
    return reject(err);
  }
  const { plan, answer, k, conversation, fault } = prepared;
  inputTokens = prepared.inputTokens;

  const streamFault = fault?.midStream && valid.stream ? fault : undefined;
  if (fault && !streamFault) {
    // Server-side failures take time; a client-side refusal would come back at once.
    if (fault.status >= 500) await delay(state.nextLatencyMs());
    return reject(new MockApiError(fault.status, fault.message, fault.type, fault.headers));
  }

  const admission = state.limiter.admit(plan.inputTokens + plan.cacheCreation, valid.maxTokens, Date.now());
  if (!admission.ok) return reject(admission.error);

  let generated: Generated | undefined;
  try {
    await delay(state.nextLatencyMs());
    if (!canWrite(res)) return record(CLIENT_CLOSED);
    plan.commit(Date.now());
    generated = generate(answer, valid, conversation, k);
    outputTokens = generated.outputTokens;
    const message = buildMessage(newMessageId(), valid.model, generated, plan, valid.droppedThinking, conversation);
    if (!valid.stream) {
      sendJson(res, 200, message, headers());
      return record(200);
    }
    res.writeHead(200, {
      ...headers(),
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
    });
    await streamMessage(res, message, {
      chunkDelayMs: state.options.chunkDelayMs,
      ...(streamFault ? { midStreamError: errorBody(streamFault.type, streamFault.message, requestId) } : {}),
    });
    record(200, streamFault?.type);
  } finally {
    admission.release(generated?.outputTokens ?? 0);
  }
}
