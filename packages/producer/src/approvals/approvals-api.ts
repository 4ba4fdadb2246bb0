import { AgentqError, type Approval, type ApprovalDecision, decideApproval, type Stores } from '@agentq/shared';
import { z } from 'zod';
import type { ShardRouter } from '../shards/shard-router.js';

export interface ListApprovalsOptions {
  /** Only this session's approvals. */
  sessionId?: string;
  /** @defaultValue 100 */
  limit?: number;
  /** @defaultValue 0 */
  offset?: number;
}

export interface ApproveOptions {
  /** Who approved; recorded on the approval and in its `approval_decided` event. */
  by: string;
  /** Optional note kept with the decision. */
  reason?: string;
  /**
   * Run the call with this input instead of the model's. Checked against the tool's input schema now (an
   * invalid edit is refused with `invalid_payload`, nothing recorded) and again by the worker; recorded on
   * the approval as `editedInput` and in its `approval_decided` event. @defaultValue the model's input
   */
  input?: Record<string, unknown>;
}

export interface DenyOptions {
  /** Who denied; the model is told "Action denied by <by>: <reason>". */
  by: string;
  /** Why; shown to the model and recorded. */
  reason: string;
}

/**
 * Human decisions on gated tool calls: `producer.approvals`. Deciding the last pending approval of a parked
 * step resumes the session at that step (the decision and the resume are one atomic script; the resume job
 * is enqueued right after). Errors are typed: `approval_not_found`, `approval_already_decided`,
 * `approval_expired` (an expired approval is denied with reason `timeout` by `system`).
 */
export class ApprovalsApi {
  constructor(
    private readonly router: ShardRouter,
    private readonly settings: { stepAttempts: number; stepBackoffMs: number },
  ) {}

  /** Approval records live with their session, the same in every shard's stores. */
  private get stores(): Stores {
    return this.router.first.stores;
  }

  /** Pending approvals, soonest expiry first. */
  async list(options: ListApprovalsOptions = {}): Promise<Approval[]> {
    if (this.router.shards.length === 1 || options.sessionId) {
      const { stores } = options.sessionId ? await this.router.forSession(options.sessionId) : this.router.first;
      return stores.approvals.listPending(options);
    }
    // Every shard's pending index, merged soonest expiry first.
    const limit = options.limit ?? 100;
    const offset = options.offset ?? 0;
    const perShard = await Promise.all(this.router.shards.map((s) => s.stores.approvals.listPending({ limit: offset + limit })));
    return perShard
      .flat()
      .sort((a, b) => a.expiresAt - b.expiresAt)
      .slice(offset, offset + limit);
  }

  /** One approval in any state, or undefined. */
  async get(approvalId: string): Promise<Approval | undefined> {
    return this.stores.approvals.get(approvalId);
  }

  /** Lets the gated call run once when its session resumes. */
  async approve(approvalId: string, options: ApproveOptions): Promise<ApprovalDecision> {
    if (options.input !== undefined) {
      const approval = await this.stores.approvals.get(approvalId);
      if (!approval) throw new AgentqError('approval_not_found', `no approval ${approvalId}`);
      checkEdit(approval, options.input);
    }
    return this.decide(approvalId, 'approved', options.by, options.reason, options.input);
  }

  /** The call never runs; the model receives the denial as an error tool_result and goes on. */
  async deny(approvalId: string, options: DenyOptions): Promise<ApprovalDecision> {
    return this.decide(approvalId, 'denied', options.by, options.reason);
  }

  private async decide(
    approvalId: string,
    decision: 'approved' | 'denied',
    by: string,
    reason: string | undefined,
    editedInput?: unknown,
  ): Promise<ApprovalDecision> {
    if (!by.trim()) throw new TypeError('approvals: `by` must name who decides');
    const sessionId = await this.stores.approvals.sessionOf(approvalId);
    // An unknown id is refused by decideApproval itself, on any shard.
    const { stores, queue } = sessionId ? await this.router.forSession(sessionId) : this.router.first;
    return decideApproval(
      stores,
      queue,
      approvalId,
      { decision, by, ...(reason ? { reason } : {}), ...(editedInput !== undefined ? { editedInput } : {}) },
      this.settings,
    );
  }
}

/** An approver's edit must fit the tool's input schema, as recorded with the request. */
function checkEdit(approval: Approval, input: unknown): void {
  if (typeof input !== 'object' || input === null || Array.isArray(input))
    throw new AgentqError('invalid_payload', 'approve: the edited input must be an object');
  if (!approval.inputSchema) return;
  const result = z.fromJSONSchema(approval.inputSchema as Parameters<typeof z.fromJSONSchema>[0]).safeParse(input);
  if (!result.success) {
    const issues = result.error.issues.map((i) => `${i.path.join('.') || '(input)'}: ${i.message}`).join('; ');
    throw new AgentqError('invalid_payload', `the edited input does not fit ${approval.tool}'s schema: ${issues}`);
  }
}
