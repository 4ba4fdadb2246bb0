import { defineTool, ToolPermissionError, ToolRateLimitError, type ToolOutput } from '@agentq/shared';
import { pino } from 'pino';
import { describe, expect, test } from 'vitest';
import { z } from 'zod';
import { runTool, type RunToolOptions } from './run-tool.js';

const logger = pino({ level: 'silent' });

function tool(run: (attempt: number, signal: AbortSignal) => Promise<ToolOutput>, extra: { timeoutMs?: number; retries?: number; idempotent?: boolean } = {}) {
  return defineTool({
    name: 'flaky',
    description: 'test tool',
    input: z.object({}),
    risk: 'safe',
    timeoutMs: extra.timeoutMs ?? 1000,
    retries: extra.retries ?? 2,
    ...(extra.idempotent !== undefined ? { idempotent: extra.idempotent } : {}),
    run: (_input, ctx) => run(ctx.attempt, ctx.signal),
  });
}

function options(t: ReturnType<typeof tool>, extra: Partial<RunToolOptions> = {}): RunToolOptions {
  return {
    tool: t,
    input: {},
    context: { sessionId: 's', step: 0, toolUseId: 'toolu_1', idempotencyKey: 's:0:toolu_1', agent: 'a', tenant: undefined, metadata: {} },
    logger,
    signal: new AbortController().signal,
    maxInlineWaitMs: 5000,
    backoffBaseMs: 1,
    ...extra,
  };
}

const never = (signal: AbortSignal) => new Promise<never>((_, reject) => signal.addEventListener('abort', () => reject(signal.reason as Error)));

describe('runTool recovery', () => {
  test('an idempotent tool that times out is retried, then reported as an error result the model can act on', async () => {
    const attempts: number[] = [];
    let abortedSignals = 0;
    const t = tool(
      async (attempt, signal) => {
        attempts.push(attempt);
        signal.addEventListener('abort', () => (abortedSignals += 1));
        return never(signal);
      },
      { timeoutMs: 30 },
    );
    const result = await runTool(options(t));
    expect(attempts).toEqual([1, 2, 3]);
    expect(abortedSignals).toBe(3); // each attempt's signal is aborted at its timeout
    expect(result.outcome?.isError).toBe(true);
    expect(result.outcome?.errorCode).toBe('tool_timeout');
    expect(result.outcome?.attempts).toBe(3);
    expect(result.outcome?.content).toBe('flaky failed after 3 attempts: timeout after 30ms; proceeding without this result.');
  });

  test('a non-idempotent tool is not retried after an unknown failure', async () => {
    let runs = 0;
    const t = tool(
      async () => {
        runs += 1;
        throw new Error('gateway reset');
      },
      { idempotent: false },
    );
    const result = await runTool(options(t));
    expect(runs).toBe(1);
    expect(result.outcome?.content).toBe('flaky failed after 1 attempt: gateway reset; proceeding without this result.');
    expect(result.outcome?.errorCode).toBe('tool_failed');
  });

  test('an idempotent tool recovers when a retry succeeds', async () => {
    const t = tool(async (attempt) => {
      if (attempt < 3) throw new Error('blip');
      return { ok: true };
    });
    const result = await runTool(options(t));
    expect(result.outcome).toMatchObject({ isError: false, attempts: 3, content: '{"ok":true}' });
  });

  test('a permission error is reported at once and never retried, even for an idempotent tool', async () => {
    let runs = 0;
    const t = tool(
      async () => {
        runs += 1;
        throw new ToolPermissionError('token lacks scope mail.send');
      },
      { retries: 5 },
    );
    const result = await runTool(options(t));
    expect(runs).toBe(1);
    expect(result.outcome).toMatchObject({ isError: true, errorCode: 'tool_permission_denied', attempts: 1 });
    expect(result.outcome?.content).toMatch(/^Permission denied: token lacks scope mail.send\. Do not retry/);
  });

  test('a short tool rate limit is waited out in place for retryAfterMs, even for a non-idempotent tool', async () => {
    const starts: number[] = [];
    const t = tool(
      async (attempt) => {
        starts.push(performance.now());
        if (attempt === 1) throw new ToolRateLimitError(120);
        return 'sent';
      },
      { idempotent: false },
    );
    const result = await runTool(options(t));
    expect(result.outcome).toMatchObject({ isError: false, attempts: 2, content: 'sent' });
    expect((starts[1] as number) - (starts[0] as number)).toBeGreaterThanOrEqual(115);
  });

  test('a rate limit longer than maxInlineWaitMs is returned as deferMs with the attempts used', async () => {
    const t = tool(async () => {
      throw new ToolRateLimitError(60_000);
    });
    const result = await runTool(options(t, { maxInlineWaitMs: 1000 }));
    expect(result).toEqual({ deferMs: 60_000, attempts: 1 });
  });

  test('deferred attempts carry over, so a tool that keeps rate-limiting ends as an error result', async () => {
    let runs = 0;
    const t = tool(async () => {
      runs += 1;
      throw new ToolRateLimitError(60_000);
    });
    const result = await runTool(options(t, { maxInlineWaitMs: 1000, previousAttempts: 2 }));
    expect(runs).toBe(1);
    expect(result.outcome).toMatchObject({ isError: true, errorCode: 'tool_rate_limited', attempts: 3 });
    expect(result.outcome?.content).toMatch(/^flaky failed after 3 attempts: rate limited, retry after 60000ms; proceeding/);
  });

  test('worker shutdown aborts the running attempt and is not turned into a result', async () => {
    const shutdown = new AbortController();
    const t = tool(async (_attempt, signal) => never(signal), { timeoutMs: 10_000 });
    const running = runTool(options(t, { signal: shutdown.signal }));
    shutdown.abort(new Error('worker killed'));
    await expect(running).rejects.toThrow('worker killed');
  });
});

describe('a result that cannot be recorded', () => {
  // It broke: a circular or BigInt result threw inside the attempt, so the call that had taken effect was
  // reported as failed ("proceeding without this result") and the idempotent variant ran three times.
  test.each([
    [
      'circular',
      () => {
        const value: Record<string, unknown> = { paid: true };
        value.self = value;
        return value;
      },
    ],
    ['BigInt', () => ({ amount: 10n })],
  ])('a %s result is "completed, result not recordable", run once, never failed', async (_kind, make) => {
    for (const idempotent of [true, false]) {
      let runs = 0;
      const t = tool(
        async () => {
          runs += 1;
          return make() as unknown as ToolOutput;
        },
        { idempotent },
      );
      const result = await runTool(options(t));
      expect(runs).toBe(1);
      expect(result.outcome?.isError).toBe(false);
      expect(result.outcome?.errorCode).toBeUndefined();
      expect(result.outcome?.unrecordable).toBe(true);
      expect(result.outcome?.content).toContain('completed');
      expect(result.outcome?.content).toContain('could not be recorded');
      expect(result.outcome?.content).not.toContain('proceeding without this result');
    }
  });
});
