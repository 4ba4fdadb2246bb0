import { SessionStatus } from '@agentq/shared';
import { type Command, InvalidArgumentError } from 'commander';
import { summarize } from '../../session-summary.js';
import { type CliContext, printJson, printTable } from '../cli-context.js';

export function registerSessions(program: Command, ctx: () => CliContext): void {
  program
    .command('sessions')
    .description('list sessions, newest first')
    .option('--status <status>', `only this status (${SessionStatus.options.join(', ')})`, (value: string) => {
      const parsed = SessionStatus.safeParse(value);
      if (!parsed.success) throw new InvalidArgumentError(`must be one of ${SessionStatus.options.join(', ')}`);
      return parsed.data;
    })
    .option('--agent <name>', 'only this agent')
    .option('--tenant <name>', 'only this tenant')
    .option('--limit <n>', 'at most this many', Number, 100)
    .option('--json', 'print JSON')
    .action(async (opts: { status?: SessionStatus; agent?: string; tenant?: string; limit: number; json?: boolean }) => {
      const sessions = await ctx().producer.list({
        limit: opts.limit,
        ...(opts.status ? { status: opts.status } : {}),
        ...(opts.agent ? { agent: opts.agent } : {}),
        ...(opts.tenant ? { tenant: opts.tenant } : {}),
      });
      const rows = sessions.map(summarize);
      if (opts.json) printJson(rows);
      else
        printTable(
          rows.map((r) => ({
            ...r,
            inputTokens: r.usage.inputTokens,
            outputTokens: r.usage.outputTokens,
            error: r.error?.code ?? null,
            createdAt: new Date(r.createdAt).toISOString(),
          })),
          ['sessionId', 'status', 'agent', 'tenant', 'steps', 'inputTokens', 'outputTokens', 'error', 'createdAt'],
        );
    });
}
