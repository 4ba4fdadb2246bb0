import Anthropic from '@anthropic-ai/sdk';
import { type ModelMessage, parseModelResponse, type UsageField, unparsableBody } from './model-response.js';

export type { ModelMessage } from './model-response.js';

export type MessageCreateParams = Anthropic.MessageCreateParamsNonStreaming;

export interface ModelCallResult {
  message: ModelMessage;
  headers: Headers;
  latencyMs: number;
  requestId: string | null | undefined;
  /** Usage fields the response lied about (negative, beyond max_tokens), with the values sent; see model-response.ts. */
  usageClamped?: Partial<Record<UsageField, number>>;
}

/** Receives the text deltas of a streaming call. */
export type TextListener = (index: number, text: string) => void;

export interface ModelClientOptions {
  apiKey?: string | undefined;
  baseURL?: string | undefined;
  /** Per-call timeout, so a hung connection cannot hold a job lock forever. @defaultValue 600000 */
  timeoutMs?: number;
  /** A custom fetch (benchmarks use an in-process one that answers at once). */
  fetch?: typeof fetch;
}

/**
 * One model call through the official SDK. The SDK's own retries are off: the queue owns retries, so a
 * backing-off step never holds a worker slot and a 429 can pause the whole fleet.
 */
export class ModelClient {
  readonly sdk: Anthropic;
  private readonly timeoutMs: number;

  constructor(options: ModelClientOptions) {
    this.timeoutMs = options.timeoutMs ?? 600_000;
    this.sdk = new Anthropic({
      apiKey: options.apiKey ?? 'no-key',
      baseURL: options.baseURL ?? null,
      maxRetries: 0,
      timeout: this.timeoutMs,
      ...(options.fetch ? { fetch: options.fetch } : {}),
    });
  }

  /**
   * One call. With `onText` it goes through the SDK's streaming API and hands over each text delta as it
   * arrives (`index` = the content block); the result is the same final message either way. `conversationId`
   * (the session id) goes on the SDK's own OpenTelemetry span of the call as `gen_ai.conversation.id`.
   */
  async create(params: MessageCreateParams, signal?: AbortSignal, onText?: TextListener, conversationId?: string): Promise<ModelCallResult> {
    const started = performance.now();
    // The SDK's timeout stops at the response headers; this deadline also covers a body that never ends. One
    // controller and a timer cleared when the call ends: AbortSignal.timeout leaves its timer pending for the
    // whole timeout after every call, and AbortSignal.any costs more than the call's other set-up together.
    const deadline = new CallDeadline(this.timeoutMs + 1000, signal);
    const combined = deadline.signal;
    let data: unknown;
    let response: Response;
    let requestId: string | null | undefined;
    try {
      if (onText) {
        const stream = this.sdk.messages.stream(params, { signal: combined, openTelemetry: { conversationId } });
        stream.on('streamEvent', (event) => {
          if (event.type === 'content_block_delta' && event.delta.type === 'text_delta') onText(event.index, event.delta.text);
        });
        ({ response, request_id: requestId } = await stream.withResponse());
        data = await stream.finalMessage();
      } else {
        ({
          data,
          response,
          request_id: requestId,
        } = await this.sdk.messages.create(params, { signal: combined, openTelemetry: { conversationId } }).withResponse());
      }
    } catch (error) {
      // A body cut by the deadline surfaces as whatever the body reader saw (undici: "terminated"): it is a timeout.
      if (deadline.expired) throw new Anthropic.APIConnectionTimeoutError({ message: `the model response did not end within ${this.timeoutMs + 1000} ms` });
      // So does one the caller aborted (the worker shutting down) once the headers were in.
      if (signal?.aborted && !(error instanceof Anthropic.APIUserAbortError)) throw new Anthropic.APIUserAbortError();
      // The SDK parses a JSON content type itself; a body that is not JSON surfaces as a SyntaxError.
      throw error instanceof SyntaxError ? unparsableBody(error) : error;
    } finally {
      deadline.clear();
    }
    // Nothing reads a response before it is validated: a 200 can still be `{}`, HTML or an error body.
    const { message, clamped } = parseModelResponse(data, params.max_tokens);
    return {
      message,
      headers: response.headers,
      latencyMs: Math.round(performance.now() - started),
      requestId,
      ...(clamped ? { usageClamped: clamped } : {}),
    };
  }
}

/** Aborts when `outer` does or when `ms` pass, whichever comes first, until cleared. */
class CallDeadline {
  /** The timer fired: the call was cut by the deadline, not by the outer signal. */
  expired = false;
  private readonly controller = new AbortController();
  private readonly timer: NodeJS.Timeout;
  private readonly onOuterAbort?: () => void;

  constructor(
    ms: number,
    private readonly outer?: AbortSignal,
  ) {
    const controller = this.controller;
    this.timer = setTimeout(() => {
      this.expired = true;
      controller.abort(new DOMException('The model call timed out', 'TimeoutError'));
    }, ms);
    this.timer.unref();
    if (outer) {
      if (outer.aborted) controller.abort(outer.reason);
      else {
        this.onOuterAbort = () => controller.abort(outer.reason);
        outer.addEventListener('abort', this.onOuterAbort, { once: true });
      }
    }
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  clear(): void {
    clearTimeout(this.timer);
    if (this.onOuterAbort) this.outer?.removeEventListener('abort', this.onOuterAbort);
  }
}
