import type { Redis } from 'ioredis';
import { AgentqError } from '../errors/agentq-error.js';
import { truncateText } from '../errors/serialize-error.js';
import { pipelineBySlot } from '../redis/by-slot.js';
import type { Keys } from '../redis/keys.js';
import { runScript } from '../redis/scripts.js';
import { Approval, type ApprovalStatus } from '../schemas/approval.js';

/** Inputs longer than this (as JSON) are stored as a cut preview: the record is for people to read. */
export const MAX_APPROVAL_INPUT_CHARS = 8000;
/** Longest decision reason kept. */
export const MAX_DECISION_REASON_CHARS = 1000;

export interface DecideOptions {
  decision: 'approved' | 'denied';
  /** Who decided: a user name, an API client, or `system` for timeouts and cancels. */
  by: string;
  reason?: string;
  /** Approve with this input instead of the model's (recorded as `editedInput`; approvals only). @defaultValue none */
  editedInput?: unknown;
  /** Refuse a decision past `expiresAt` (people); the timeout job decides regardless. @defaultValue true */
  enforceExpiry?: boolean;
  now?: number;
}

/** What one decision did. */
export interface DecideResult {
  approval: Approval;
  /** The session left `awaiting_approval`: the caller must enqueue step job `stepJobId(sessionId, step, resumeSuffix)`. */
  resumeSuffix?: string;
  /** Approvals of the session still pending after this one. */
  remaining: number;
}

export type ParkResult = { kind: 'parked' } | { kind: 'stale' } | { kind: 'cancel_requested' } | { kind: 'resume'; resumeSuffix: string };

/**
 * Approval records: one hash per gated tool call, tagged with its session so the decision and the session's
 * resume are one script in one cluster slot. The global pending index (a sorted set by expiry) is kept
 * apart from the scripts because it lives in another slot; readers treat it as a hint and check each record.
 */
export class ApprovalStore {
  constructor(
    readonly redis: Redis,
    readonly keys: Keys,
  ) {}

  /** Stores the request unless it exists; returns the status of the record that is there now. */
  async request(approval: Approval): Promise<{ created: boolean; status: ApprovalStatus | 'stale' }> {
    const record = Object.entries(toRecord(approval)).flat();
    const [code, status] = await runScript<[number, string]>(
      this.redis,
      'requestApproval',
      [this.keys.approval(approval.sessionId, approval.approvalId), this.keys.sessionApprovals(approval.sessionId), this.keys.session(approval.sessionId)],
      [approval.approvalId, approval.step, ...record],
    );
    if (code === -1) return { created: false, status: 'stale' };
    if (code === 1) await this.redis.zadd(this.keys.pendingApprovals(), approval.expiresAt, indexMember(approval.sessionId, approval.approvalId));
    return { created: code === 1, status: status as ApprovalStatus };
  }

  async get(approvalId: string): Promise<Approval | undefined> {
    const sessionId = await this.sessionOf(approvalId);
    return sessionId ? this.getFor(sessionId, approvalId) : undefined;
  }

  async getFor(sessionId: string, approvalId: string): Promise<Approval | undefined> {
    return parseApproval(await this.redis.hgetall(this.keys.approval(sessionId, approvalId)));
  }

  /** Ids of a session's pending approvals. */
  async pendingIds(sessionId: string): Promise<string[]> {
    return this.redis.smembers(this.keys.sessionApprovals(sessionId));
  }

  /** Pending approvals, soonest expiry first; index entries whose record moved on are cleaned up on the way. */
  async listPending(options: { limit?: number; offset?: number; sessionId?: string } = {}): Promise<Approval[]> {
    const limit = options.limit ?? 100;
    const offset = options.offset ?? 0;
    if (options.sessionId) {
      const ids = await this.pendingIds(options.sessionId);
      const all = await Promise.all(ids.map((id) => this.getFor(options.sessionId as string, id)));
      return all
        .filter((a): a is Approval => a?.status === 'pending')
        .sort((a, b) => a.expiresAt - b.expiresAt)
        .slice(offset, offset + limit);
    }
    const out: Approval[] = [];
    let skipped = 0;
    let cursor = 0;
    const page = Math.max(100, limit);
    for (;;) {
      const members = await this.redis.zrange(this.keys.pendingApprovals(), String(cursor), String(cursor + page - 1));
      if (members.length === 0) break;
      cursor += members.length;
      // Each approval lives in its session's slot: on a cluster the reads go out per slot, at once.
      const parsed = members.map(parseIndexMember);
      const approvalKey = (entry: { sessionId: string; approvalId: string }) => this.keys.approval(entry.sessionId, entry.approvalId);
      const results = await pipelineBySlot<(typeof parsed)[number], Record<string, string>>(this.redis, parsed, approvalKey, (pipeline, entry) =>
        pipeline.hgetall(approvalKey(entry)),
      );
      const gone: string[] = [];
      results.forEach(([err, raw], i) => {
        const approval = err ? undefined : parseApproval(raw);
        if (approval?.status !== 'pending') {
          gone.push(members[i] as string);
          return;
        }
        if (skipped < offset) skipped += 1;
        else if (out.length < limit) out.push(approval);
      });
      if (gone.length > 0) {
        await this.redis.zrem(this.keys.pendingApprovals(), ...gone);
        cursor -= gone.length;
      }
      if (out.length >= limit || members.length < page) break;
    }
    return out;
  }

  /**
   * Records a decision; resumes the session when it was the last pending approval of its parked step.
   * Throws `approval_not_found`, `approval_already_decided` (with `details.resumeSuffix` when that
   * decision resumed the session, so a caller can repair a lost resume job) or `approval_expired`.
   */
  async decide(approvalId: string, options: DecideOptions): Promise<DecideResult> {
    const sessionId = await this.sessionOf(approvalId);
    if (!sessionId) throw new AgentqError('approval_not_found', `no approval ${approvalId}`);
    const now = options.now ?? Date.now();
    const reply = await runScript<Array<string | number>>(
      this.redis,
      'decideApproval',
      [this.keys.approval(sessionId, approvalId), this.keys.sessionApprovals(sessionId), this.keys.session(sessionId)],
      [
        approvalId,
        options.decision,
        truncateText(options.by, 200),
        truncateText(options.reason ?? '', MAX_DECISION_REASON_CHARS),
        now,
        options.enforceExpiry === false ? '0' : '1',
        options.decision === 'approved' && options.editedInput !== undefined ? JSON.stringify(options.editedInput) : '',
      ],
    );
    const [kind] = reply;
    if (kind === 'not_found') throw new AgentqError('approval_not_found', `no approval ${approvalId}`);
    if (kind === 'expired') {
      throw new AgentqError(
        'approval_expired',
        `approval ${approvalId} expired at ${new Date(Number(reply[1])).toISOString()}; it is denied with reason "timeout"`,
        {
          details: { approvalId, expiresAt: Number(reply[1]) },
        },
      );
    }
    if (kind === 'already_decided') {
      const [, status, by, reason, resumedWith] = reply.map(String);
      throw new AgentqError('approval_already_decided', `approval ${approvalId} was already ${status} by ${by}${reason ? ` (${reason})` : ''}`, {
        details: { approvalId, sessionId, status, decidedBy: by, ...(reason ? { reason } : {}), ...(resumedWith ? { resumeSuffix: resumedWith } : {}) },
      });
    }
    await this.redis.zrem(this.keys.pendingApprovals(), indexMember(sessionId, approvalId));
    const approval = (await this.getFor(sessionId, approvalId)) as Approval;
    if (kind === 'resumed') return { approval, resumeSuffix: `a${reply[1]}`, remaining: 0 };
    return { approval, remaining: Number(reply[1]) };
  }

  /** Parks the session at `step` unless every approval of it was decided meanwhile (then it resumes now). */
  async park(sessionId: string, step: number): Promise<ParkResult> {
    const reply = await runScript<number[]>(
      this.redis,
      'parkSession',
      [this.keys.session(sessionId), this.keys.sessionApprovals(sessionId)],
      [step, Date.now()],
    );
    switch (reply[0]) {
      case 1:
        return { kind: 'parked' };
      case 2:
        return { kind: 'resume', resumeSuffix: `a${reply[1]}` };
      case 3:
        return { kind: 'cancel_requested' };
      default:
        return { kind: 'stale' };
    }
  }

  /**
   * Finds the session of an approval id (`<sessionId>-s<step>-<toolUseId>`). Session ids and tool-use ids
   * may both contain `-`, so every `-s<digits>-` split is tried against the stored records.
   */
  async sessionOf(approvalId: string): Promise<string | undefined> {
    const candidates: string[] = [];
    const pattern = /-s\d+-/g;
    for (let match = pattern.exec(approvalId); match; match = pattern.exec(approvalId)) {
      candidates.push(approvalId.slice(0, match.index));
      pattern.lastIndex = match.index + 1;
    }
    if (candidates.length === 0) return undefined;
    const key = (sessionId: string) => this.keys.approval(sessionId, approvalId);
    const results = await pipelineBySlot<string, number>(this.redis, candidates, key, (pipeline, sessionId) => pipeline.exists(key(sessionId)));
    const index = results.findIndex(([err, found]) => !err && found === 1);
    return index === -1 ? undefined : candidates[index];
  }
}

function indexMember(sessionId: string, approvalId: string): string {
  return `${sessionId}|${approvalId}`;
}

function parseIndexMember(member: string): { sessionId: string; approvalId: string } {
  const bar = member.indexOf('|');
  return { sessionId: member.slice(0, bar), approvalId: member.slice(bar + 1) };
}

/** Bounded JSON of a tool input for the record: people read it, the tool never runs from it. */
export function approvalInput(input: unknown): unknown {
  const json = JSON.stringify(input) ?? 'null';
  return json.length <= MAX_APPROVAL_INPUT_CHARS ? input : { preview: truncateText(json, MAX_APPROVAL_INPUT_CHARS) };
}

function toRecord(approval: Approval): Record<string, string> {
  const record: Record<string, string> = {
    approvalId: approval.approvalId,
    sessionId: approval.sessionId,
    step: String(approval.step),
    toolUseId: approval.toolUseId,
    tool: approval.tool,
    input: JSON.stringify(approvalInput(approval.input)) ?? 'null',
    risk: approval.risk,
    reason: approval.reason,
    agent: approval.agent,
    status: approval.status,
    requestedAt: String(approval.requestedAt),
    expiresAt: String(approval.expiresAt),
  };
  if (approval.tenant) record.tenant = approval.tenant;
  if (approval.inputSchema) record.inputSchema = JSON.stringify(approval.inputSchema);
  return record;
}

export function parseApproval(raw: Record<string, string> | null | undefined): Approval | undefined {
  if (!raw || !raw.approvalId) return undefined;
  return Approval.parse({
    approvalId: raw.approvalId,
    sessionId: raw.sessionId,
    step: Number(raw.step),
    toolUseId: raw.toolUseId,
    tool: raw.tool,
    input: raw.input ? (JSON.parse(raw.input) as unknown) : null,
    risk: raw.risk,
    reason: raw.reason ?? '',
    ...(raw.tenant ? { tenant: raw.tenant } : {}),
    agent: raw.agent ?? '',
    status: raw.status,
    requestedAt: Number(raw.requestedAt),
    expiresAt: Number(raw.expiresAt),
    ...(raw.decidedAt ? { decidedAt: Number(raw.decidedAt) } : {}),
    ...(raw.decidedBy ? { decidedBy: raw.decidedBy } : {}),
    ...(raw.decisionReason ? { decisionReason: raw.decisionReason } : {}),
    ...(raw.inputSchema ? { inputSchema: JSON.parse(raw.inputSchema) as Record<string, unknown> } : {}),
    ...(raw.editedInput ? { editedInput: JSON.parse(raw.editedInput) as unknown } : {}),
  });
}
