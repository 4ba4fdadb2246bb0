import type { AgentProducer } from '../agent-producer.js';
import { matchesShownId } from './short-id.js';

/** The full id of the pending approval a table showed as `shown`; a whole id is returned as given. */
export async function resolveApprovalId(producer: AgentProducer, shown: string): Promise<string> {
  if (!shown.includes('..')) return shown;
  const matches = (await producer.approvals.list({ limit: 10_000 })).filter((a) => matchesShownId(a.approvalId, shown));
  if (matches.length === 1) return (matches[0] as { approvalId: string }).approvalId;
  if (matches.length === 0) throw new Error(`no pending approval matches ${shown} (decided already? \`agentq approvals\` lists the pending ones)`);
  throw new Error(`${shown} matches ${matches.length} pending approvals; give the whole id: ${matches.map((a) => a.approvalId).join(', ')}`);
}
