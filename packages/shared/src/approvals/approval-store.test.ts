import { describe, expect, test } from '../../../../test/support/fixtures.js';
import { AgentqError } from '../errors/agentq-error.js';
import { createStores } from '../runtime-context.js';
import { type Approval, approvalIdFor } from '../schemas/approval.js';
import type { Session } from '../schemas/session.js';

function session(sessionId: string, step = 2): Session {
  return {
    sessionId,
    agent: 'a',
    status: 'running',
    step,
    input: 'x',
    metadata: {},
    limits: {},
    createdAt: 1,
    updatedAt: 1,
    usage: { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, costUsd: 0 },
  };
}

function approval(sessionId: string, toolUseId: string, expiresAt = Date.now() + 60_000): Approval {
  return {
    approvalId: approvalIdFor(sessionId, 2, toolUseId),
    sessionId,
    step: 2,
    toolUseId,
    tool: 'delete_record',
    input: { id: 'cus_1' },
    risk: 'high',
    reason: 'high-risk tool',
    agent: 'a',
    status: 'pending',
    requestedAt: Date.now(),
    expiresAt,
  };
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'resolved';
  } catch (error) {
    return AgentqError.isInstance(error) ? error.code : String(error);
  }
}

describe('ApprovalStore', () => {
  test('the last decision of a parked step resumes the session exactly once', async ({ redis, prefix }) => {
    const stores = createStores(redis, prefix);
    // Session and tool-use ids with `-s<digits>-` inside: the id lookup must still find the right record.
    const sid = 'ses_ab-s9-cd';
    await stores.sessions.create(session(sid));
    const first = approval(sid, 'toolu-s1-x');
    const second = approval(sid, 'toolu_2');
    expect(await stores.approvals.request(first)).toEqual({ created: true, status: 'pending' });
    expect(await stores.approvals.request(first)).toEqual({ created: false, status: 'pending' });
    expect(await stores.approvals.request(second)).toEqual({ created: true, status: 'pending' });
    expect(await stores.approvals.park(sid, 2)).toEqual({ kind: 'parked' });
    expect((await stores.sessions.get(sid))?.status).toBe('awaiting_approval');
    expect((await stores.approvals.listPending()).map((a) => a.approvalId).sort()).toEqual([first.approvalId, second.approvalId].sort());

    const one = await stores.approvals.decide(first.approvalId, { decision: 'approved', by: 'alice' });
    expect(one).toMatchObject({ remaining: 1, approval: { status: 'approved', decidedBy: 'alice' } });
    expect(one.resumeSuffix).toBeUndefined();
    expect((await stores.sessions.get(sid))?.status).toBe('awaiting_approval');

    const two = await stores.approvals.decide(second.approvalId, { decision: 'denied', by: 'bob', reason: 'no' });
    expect(two).toMatchObject({ remaining: 0, resumeSuffix: 'a1', approval: { status: 'denied', decisionReason: 'no' } });
    expect((await stores.sessions.get(sid))?.status).toBe('running');
    expect(await stores.approvals.listPending()).toEqual([]);

    expect(await codeOf(stores.approvals.decide(second.approvalId, { decision: 'approved', by: 'carol' }))).toBe('approval_already_decided');
    expect(await codeOf(stores.approvals.decide(`${sid}-s2-toolu_nope`, { decision: 'approved', by: 'carol' }))).toBe('approval_not_found');
    expect(await codeOf(stores.approvals.decide('garbage', { decision: 'approved', by: 'carol' }))).toBe('approval_not_found');
  });

  test('an expired approval refuses people but the timeout path still decides it', async ({ redis, prefix }) => {
    const stores = createStores(redis, prefix);
    const sid = 'ses_expiry';
    await stores.sessions.create(session(sid));
    const a = approval(sid, 'toolu_1', Date.now() - 1);
    await stores.approvals.request(a);
    await stores.approvals.park(sid, 2);
    expect(await codeOf(stores.approvals.decide(a.approvalId, { decision: 'approved', by: 'alice' }))).toBe('approval_expired');
    const timedOut = await stores.approvals.decide(a.approvalId, { decision: 'denied', by: 'system', reason: 'timeout', enforceExpiry: false });
    expect(timedOut).toMatchObject({ resumeSuffix: 'a1', approval: { status: 'denied', decidedBy: 'system', decisionReason: 'timeout' } });
  });

  test('approvals decided before the park landed make the park resume instead of leaving the session stuck', async ({ redis, prefix }) => {
    const stores = createStores(redis, prefix);
    const sid = 'ses_race';
    await stores.sessions.create(session(sid));
    const a = approval(sid, 'toolu_1');
    await stores.approvals.request(a);
    const decided = await stores.approvals.decide(a.approvalId, { decision: 'approved', by: 'fast' });
    expect(decided.resumeSuffix).toBeUndefined(); // the session was still running: nothing to resume yet
    expect(await stores.approvals.park(sid, 2)).toEqual({ kind: 'resume', resumeSuffix: 'a1' });
    expect((await stores.sessions.get(sid))?.status).toBe('running');
    expect(await stores.approvals.park(sid, 1)).toEqual({ kind: 'stale' });
  });

  test('a request for a session not running at that step stores nothing', async ({ redis, prefix }) => {
    const stores = createStores(redis, prefix);
    await stores.sessions.create(session('ses_moved', 3));
    expect(await stores.approvals.request(approval('ses_moved', 'toolu_1'))).toEqual({ created: false, status: 'stale' });
    expect(await stores.approvals.pendingIds('ses_moved')).toEqual([]);
  });
});
