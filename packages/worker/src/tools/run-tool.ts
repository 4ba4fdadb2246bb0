import {
  inputText,
  isToolContent,
  AgentqError,
  type ErrorCode,
  type Logger,
  type Tool,
  type ToolContext,
  ToolPermissionError,
  ToolRateLimitError,
  ToolTimeoutError,
  truncateText,
} from '@agentq/shared';
import { sleep } from '../time/sleep.js';
import { fullJitterDelay } from './backoff.js';
import type { ToolOutcome } from './tool-outcome.js';

const MAX_ERROR_CHARS = 1000;

export interface RunToolOptions {
  tool: Tool;
  input: unknown;
  context: Omit<ToolContext, 'signal' | 'attempt' | 'logger'>;
  logger: Logger;
  /** Worker shutdown; aborts the running attempt. */
  signal: AbortSignal;
  /** Rate-limit waits up to this long happen in place; a longer one is returned as `deferMs`. */
  maxInlineWaitMs: number;
  /** Base of the backoff between attempts. @defaultValue 200 */
  backoffBaseMs?: number;
  /** Attempts used by earlier runs of this call that were deferred for a rate limit. @defaultValue 0 */
  previousAttempts?: number;
}

export type RunToolResult = { outcome: ToolOutcome; deferMs?: undefined; attempts?: undefined } | { outcome?: undefined; deferMs: number; attempts: number };

/**
 * Runs one tool call with its timeout and retries. Never throws for a tool's failure: the final failure
 * becomes an error outcome the model can act on. Returns `deferMs` instead when the tool asked for a wait
 * too long to hold a worker slot; the caller puts the step back on the queue delayed.
 */
export async function runTool(options: RunToolOptions): Promise<RunToolResult> {
  const { tool } = options;
  const maxAttempts = 1 + Math.max(0, tool.retries);
  const started = performance.now();
  let lastError: unknown;
  // A deferred call keeps counting where it stopped, so a tool that always rate-limits ends in an error result.
  let attempt = Math.max(0, options.previousAttempts ?? 0);
  while (attempt < maxAttempts) {
    attempt += 1;
    let output: unknown;
    try {
      output = await runAttempt(options, attempt);
    } catch (error) {
      lastError = error;
      if (options.signal.aborted) throw error;
      if (error instanceof ToolPermissionError || (AgentqError.isInstance(error) && error.code === 'tool_permission_denied')) break;
      if (error instanceof ToolRateLimitError || (AgentqError.isInstance(error) && error.code === 'tool_rate_limited')) {
        const wait = retryAfterOf(error);
        if (attempt >= maxAttempts) break;
        if (wait > options.maxInlineWaitMs) return { deferMs: wait, attempts: attempt };
        options.logger.info({ tool: tool.name, waitMs: wait }, 'tool rate limited, waiting');
        await sleep(wait, options.signal);
        continue;
      }
      // Only an idempotent tool may run again after an unknown failure: a half-done payment must not repeat.
      if (!tool.idempotent || attempt >= maxAttempts) break;
      await sleep(fullJitterDelay(attempt, options.backoffBaseMs ?? 200, 5000), options.signal);
      continue;
    }
    // The tool returned: whatever happens to its value now, the call took effect and is never run again.
    return { outcome: successOutcome(options, output, attempt, Math.round(performance.now() - started)) };
  }
  return { outcome: failureOutcome(options, lastError, attempt, Math.round(performance.now() - started)) };
}

/**
 * The outcome of a call that returned. A value that cannot be turned into text (circular, BigInt, a throwing
 * `toJSON`) is "completed, result not recordable": reporting it as failed would invite the model to repeat a
 * side effect that already happened.
 */
function successOutcome(options: RunToolOptions, output: unknown, attempts: number, durationMs: number): ToolOutcome {
  const base = { toolUseId: options.context.toolUseId, tool: options.tool.name, isError: false, attempts, durationMs };
  try {
    // Content blocks (images, documents) from toolContent() travel as blocks, with a text form for estimates.
    const blocks = isToolContent(output) ? [...output.blocks] : undefined;
    const content = blocks ? inputText(blocks) : typeof output === 'string' ? output : JSON.stringify(output);
    return { ...base, content: content ?? '(the tool returned no value)', ...(blocks ? { blocks } : {}) };
  } catch (error) {
    const reason = truncateText(error instanceof Error ? error.message : String(error), MAX_ERROR_CHARS);
    return {
      ...base,
      unrecordable: true,
      content: `${options.tool.name} completed, but its result could not be recorded (${reason}). The call took effect: do not repeat it to get the result.`,
    };
  }
}

function retryAfterOf(error: unknown): number {
  const fromClass = (error as Partial<ToolRateLimitError>).retryAfterMs;
  const fromDetails = AgentqError.isInstance(error) ? error.details?.retryAfterMs : undefined;
  const value = typeof fromClass === 'number' ? fromClass : typeof fromDetails === 'number' ? fromDetails : 1000;
  return Number.isFinite(value) && value >= 0 ? value : 1000;
}

async function runAttempt(options: RunToolOptions, attempt: number): Promise<unknown> {
  const { tool } = options;
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  let onShutdown = () => {};
  // Ends the attempt at its timeout or at worker shutdown even when the tool ignores its signal.
  const timeout = new Promise<never>((_, reject) => {
    onShutdown = () => {
      controller.abort(options.signal.reason);
      reject(options.signal.reason);
    };
    if (options.signal.aborted) return onShutdown();
    options.signal.addEventListener('abort', onShutdown, { once: true });
    timer = setTimeout(() => {
      const error = new ToolTimeoutError(tool.timeoutMs);
      controller.abort(error);
      reject(error);
    }, tool.timeoutMs);
  });
  try {
    const ctx: ToolContext = {
      ...options.context,
      signal: controller.signal,
      attempt,
      logger: options.logger.child({ tool: tool.name, toolUseId: options.context.toolUseId, attempt }),
    };
    return await Promise.race([Promise.resolve().then(() => tool.run(options.input, ctx)), timeout]);
  } finally {
    clearTimeout(timer);
    options.signal.removeEventListener('abort', onShutdown);
  }
}

function failureOutcome(options: RunToolOptions, error: unknown, attempts: number, durationMs: number): ToolOutcome {
  const code: ErrorCode = AgentqError.isInstance(error) ? error.code : 'tool_failed';
  const reason = truncateText(error instanceof Error ? error.message : String(error), MAX_ERROR_CHARS);
  const content =
    code === 'tool_permission_denied'
      ? `Permission denied: ${reason}. Do not retry this call; choose another approach.`
      : `${options.tool.name} failed after ${attempts} attempt${attempts === 1 ? '' : 's'}: ${reason}; proceeding without this result.`;
  return { toolUseId: options.context.toolUseId, tool: options.tool.name, content, isError: true, errorCode: code, attempts, durationMs };
}
