import { AgentqError, toSessionResult } from '@agentq/shared';
import type { Command } from 'commander';
import { type CliContext, printJson } from '../cli-context.js';

export function registerStatus(program: Command, ctx: () => CliContext): void {
  program
    .command('status')
    .description("show a session's status, step, usage and result")
    .argument('<sessionId>')
    .option('--json', 'print JSON')
    .action(async (sessionId: string, opts: { json?: boolean }) => {
      const session = await ctx().producer.get(sessionId);
      if (!session) throw new AgentqError('session_not_found', `no session ${sessionId}`);
      if (opts.json) {
        printJson({
          ...toSessionResult(session),
          agent: session.agent,
          tenant: session.tenant ?? null,
          createdAt: session.createdAt,
          updatedAt: session.updatedAt,
          metadata: session.metadata,
        });
        return;
      }
      const u = session.usage;
      const lines = [
        `session  ${session.sessionId}`,
        `agent    ${session.agent}${session.tenant ? `  (tenant ${session.tenant})` : ''}`,
        `status   ${session.status}`,
        `steps    ${session.step}`,
        `tokens   in ${u.inputTokens}  out ${u.outputTokens}  cache read ${u.cacheReadTokens}  cache write ${u.cacheWriteTokens}`,
        `cost     $${u.costUsd.toFixed(6)}`,
        `created  ${new Date(session.createdAt).toISOString()}   updated ${new Date(session.updatedAt).toISOString()}`,
      ];
      if (session.error) lines.push(`error    ${session.error.code}: ${session.error.message}`);
      if (session.output !== undefined) lines.push(`output   ${session.output}`);
      process.stdout.write(`${lines.join('\n')}\n`);
    });
}
