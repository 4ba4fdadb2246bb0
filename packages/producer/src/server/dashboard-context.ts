import type { Logger } from '@agentq/shared';
import type { Response } from 'express';
import type { AgentProducer } from '../agent-producer.js';
import { csrfTokenFor } from './auth/csrf.js';
import type { ResolvedAuth } from './auth/dashboard-auth.js';
import { principalOf } from './auth/principal.js';
import type { PageContext } from './pages/layout.js';

/** What the routes share: the producer they drive and the auth they check with. */
export interface DashboardContext {
  producer: AgentProducer;
  auth: ResolvedAuth;
  logger: Logger | undefined;
}

/** The nav badge counts at most this many pending approvals. */
export const BADGE_LIMIT = 99;

export async function pageContext(ctx: DashboardContext, res: Response): Promise<PageContext> {
  const principal = principalOf(res);
  const pending = await ctx.producer.approvals.list({ limit: BADGE_LIMIT });
  return {
    principal,
    csrfToken: csrfTokenFor(ctx.auth, principal),
    pendingApprovals: pending.length,
    canLogout: principal.kind === 'cookie',
  };
}
