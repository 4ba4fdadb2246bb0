import { canonicalJson, LOOP_REFLECTIONS, type LoopVerdict, truncateText } from '@agentq/shared';
import type { GuardContext } from './guard-context.js';
import type { GuardDecision, PendingTurnCheckpoint, ToolCall, ToolGuard } from './tool-guard.js';
import { errorOutcome, type ToolOutcome } from './tool-outcome.js';

const MAX_INPUT_CHARS = 2000;

/**
 * The loop detector as a tool guard; it runs first, so a looping call is neither approved nor run. A
 * detection is answered with a reflection message instead of the tool's result; the detection after
 * `limits.loop.strikes` of them ends the session `loop_detected`. Signatures are taken from the input the
 * model sent (before schema defaults), so what counts as "the same call" is what the model wrote.
 */
export function loopGuard(): ToolGuard {
  // Verdicts the turn's checkpoint script decided (checking is idempotent per tool_use id); undefined when it
  // did not, and the call is checked by itself. Per-step state: keyed by the step's context, it goes with the step.
  const prepared = new WeakMap<GuardContext, Map<string, Promise<LoopVerdict | undefined>>>();
  const ask = (ctx: GuardContext, block: ToolCall['block']) =>
    ctx.deps.loopDetector.check(ctx.session.sessionId, { toolUseId: block.id, tool: block.name, input: block.input }, ctx.limits.loop);

  return {
    name: 'loop',
    prepare(ctx: GuardContext, calls: readonly ToolCall[], checkpoint: PendingTurnCheckpoint): void {
      // The whole turn, in turn order, inside the turn's checkpoint script.
      const turn = checkpoint.loopCheck(
        calls.map(({ block }) => ({ toolUseId: block.id, tool: block.name, input: block.input })),
        ctx.limits.loop,
      );
      const verdicts = new Map<string, Promise<LoopVerdict | undefined>>();
      calls.forEach((call, i) => {
        const verdict = turn.then((all) => all?.[i]);
        verdict.catch(() => undefined);
        verdicts.set(call.block.id, verdict);
      });
      prepared.set(ctx, verdicts);
    },
    async check(ctx: GuardContext, call: ToolCall): Promise<GuardDecision> {
      const { block } = call;
      const v = (await prepared.get(ctx)?.get(block.id)) ?? (await ask(ctx, block));
      if (v.verdict === 'ok' || !v.kind) return { kind: 'run' };
      const input = truncateText(canonicalJson(block.input), MAX_INPUT_CHARS);
      const data = {
        kind: v.kind,
        tool: block.name,
        toolUseId: block.id,
        signature: v.signature,
        input,
        count: v.count,
        strike: v.strikes,
        strikes: ctx.limits.loop.strikes,
      };
      if (v.verdict === 'warn') {
        if (v.fresh) {
          await ctx.emit('loop_warning', data);
          ctx.logger.warn({ kind: v.kind, tool: block.name, count: v.count, strike: v.strikes }, 'loop detected, answering with a reflection');
        }
        const outcome: ToolOutcome = errorOutcome(block.id, block.name, 'loop_detected', LOOP_REFLECTIONS[v.kind]);
        return { kind: 'answer', outcome };
      }
      if (v.fresh) {
        await ctx.emit('loop_detected', data);
        ctx.logger.warn({ kind: v.kind, tool: block.name, count: v.count, strike: v.strikes }, 'loop persisted, ending session');
      }
      return {
        kind: 'stop',
        status: 'loop_detected',
        error: {
          code: 'loop_detected',
          message: `${describe(v.kind, block.name, v.count)} after ${v.strikes - 1} reflection${v.strikes === 2 ? '' : 's'}: ${block.name} ${truncateText(input, 300)}`,
          details: { kind: v.kind, tool: block.name, input: boundedInput(block.input, input), signature: v.signature, count: v.count, strikes: v.strikes - 1 },
        },
      };
    },
    async after(ctx: GuardContext, call: ToolCall, outcome: ToolOutcome): Promise<void> {
      if (!outcome.isError) {
        // A success only resets the tool's error streak: with none seen at the check, there is nothing to record.
        const checked = await prepared
          .get(ctx)
          ?.get(call.block.id)
          ?.catch(() => undefined);
        if (checked && !checked.errorStreak) return;
      }
      await ctx.deps.loopDetector.recordResult(ctx.session.sessionId, {
        toolUseId: call.block.id,
        tool: call.block.name,
        isError: outcome.isError,
        content: outcome.content,
      });
    },
  };
}

/** The input itself when small, else its canonical JSON cut to a bounded length (persisted text is bounded). */
function boundedInput(input: unknown, canonical: string): unknown {
  return canonical.length < MAX_INPUT_CHARS ? input : canonical;
}

function describe(kind: string, tool: string, count: number): string {
  switch (kind) {
    case 'repeat':
      return `${tool} was called ${count} times with the same input`;
    case 'ping_pong':
      return `the last ${count} calls alternated between the same two calls`;
    default:
      return `${tool} returned the same error ${count} times in a row and was called again`;
  }
}
