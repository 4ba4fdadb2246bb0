import { type Approval, approvalIdFor, enqueueApprovalTimeout, maxRisk, type Risk, riskExceeds } from '@agentq/shared';
import type { GuardContext } from './guard-context.js';
import { redact } from './redact.js';
import type { GuardDecision, ToolCall, ToolGuard } from './tool-guard.js';
import { errorOutcome } from './tool-outcome.js';

/** The risk of one call: the tool's own, raised (never lowered) by its `policy(input)`. */
export function effectiveRisk(call: ToolCall): { risk: Risk; reason: string } {
  const { tool } = call;
  let fromPolicy: Risk | undefined;
  try {
    fromPolicy = tool.policy?.(call.input);
  } catch (error) {
    // A policy that cannot judge an input must not wave it through.
    return {
      risk: 'high',
      reason: `the risk policy of ${tool.name} failed (${error instanceof Error ? error.message : String(error)}), so the call is treated as high risk`,
    };
  }
  const risk = fromPolicy ? maxRisk(tool.risk, fromPolicy) : tool.risk;
  const reason = risk !== tool.risk ? `the policy of ${tool.name} raised this call from ${tool.risk} to ${risk} risk` : `${tool.name} is a ${risk}-risk tool`;
  return { risk, reason };
}

/** The tool_result a denied call gets; the model reads it and goes on without the action. */
export function denialText(by: string, reason: string | undefined): string {
  return `Action denied by ${by}: ${reason || 'no reason given'}`;
}

/**
 * Gates calls above the session's `limits.maxAutoRisk` (compared by order, not by name) behind a human
 * decision. The first time such a call is seen it stores an approval record, fires `approval_requested`,
 * adds an `approval-timeout` job, and parks: no worker waits. When the step runs again after the decision,
 * an approved call runs and a denied one is answered with the denial.
 */
export class RiskGate implements ToolGuard {
  readonly name = 'risk-gate';

  async check(ctx: GuardContext, call: ToolCall): Promise<GuardDecision> {
    const { risk, reason } = effectiveRisk(call);
    const ceiling = ctx.limits.maxAutoRisk;
    if (!riskExceeds(risk, ceiling)) return { kind: 'run' };

    const { stores } = ctx.deps;
    const { sessionId } = ctx.session;
    const approvalId = approvalIdFor(sessionId, ctx.step, call.block.id);
    const existing = await stores.approvals.getFor(sessionId, approvalId);
    if (existing) return this.decided(ctx, existing, call);

    const now = Date.now();
    const approval: Approval = {
      approvalId,
      sessionId,
      step: ctx.step,
      toolUseId: call.block.id,
      tool: call.tool.name,
      input: redact(call.input, call.tool.sensitive),
      inputSchema: call.tool.inputSchema,
      risk,
      reason: `${reason}; this session runs at most ${ceiling} risk without approval`,
      ...(ctx.session.tenant ? { tenant: ctx.session.tenant } : {}),
      agent: ctx.agent.name,
      status: 'pending',
      requestedAt: now,
      expiresAt: now + ctx.limits.approvalTimeoutMs,
    };
    const { created, status } = await stores.approvals.request(approval);
    if (status === 'stale') return { kind: 'park' };
    if (!created) {
      const raced = await stores.approvals.getFor(sessionId, approvalId);
      if (raced) return this.decided(ctx, raced, call);
    }
    await this.scheduleTimeout(ctx, approval);
    await ctx.emit('approval_requested', {
      approvalId,
      tool: call.tool.name,
      toolUseId: call.block.id,
      risk,
      maxAutoRisk: ceiling,
      reason: approval.reason,
      input: approval.input,
      requestedAt: approval.requestedAt,
      expiresAt: approval.expiresAt,
    });
    ctx.logger.info({ approvalId, tool: call.tool.name, risk }, 'approval requested');
    return { kind: 'park' };
  }

  private async decided(ctx: GuardContext, approval: Approval, call: ToolCall): Promise<GuardDecision> {
    if (approval.status === 'approved') return approval.editedInput === undefined ? { kind: 'run' } : this.edited(approval, call);
    if (approval.status === 'denied') {
      return {
        kind: 'answer',
        outcome: errorOutcome(
          approval.toolUseId,
          approval.tool,
          'tool_permission_denied',
          denialText(approval.decidedBy ?? 'unknown', approval.decisionReason),
        ),
      };
    }
    // Still pending (a retried step): make sure its timeout job exists, then park again.
    await this.scheduleTimeout(ctx, approval);
    return { kind: 'park' };
  }

  /**
   * An approval with an edited input runs the call with the edit, checked against the tool's own schema (the
   * authority; the producer checked it against the recorded JSON Schema). Sensitive fields the approver saw
   * as `[redacted]` and left so keep the model's values. An edit that does not validate is not run.
   */
  private edited(approval: Approval, call: ToolCall): GuardDecision {
    const edit = { ...(approval.editedInput as Record<string, unknown>) };
    const original = call.input as Record<string, unknown>;
    for (const field of call.tool.sensitive) if (edit[field] === '[redacted]' && field in original) edit[field] = original[field];
    const parsed = call.tool.input.safeParse(edit);
    if (!parsed.success) {
      const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(input)'}: ${i.message}`).join('; ');
      return {
        kind: 'answer',
        outcome: errorOutcome(
          approval.toolUseId,
          approval.tool,
          'tool_invalid_input',
          `The approver's edit of this call did not validate (${issues}); it was not run.`,
        ),
      };
    }
    return { kind: 'run', input: parsed.data, editedBy: approval.decidedBy ?? 'unknown' };
  }

  /** Idempotent: the job id is derived from the approval id. */
  private async scheduleTimeout(ctx: GuardContext, approval: Approval): Promise<void> {
    await enqueueApprovalTimeout(ctx.deps.queue, approval.approvalId, approval.expiresAt);
  }
}
