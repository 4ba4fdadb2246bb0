import { type Command, InvalidArgumentError } from 'commander';
import { type CliContext, printJson, printTable } from '../cli-context.js';
import { shortId } from '../short-id.js';

export function registerApprovals(program: Command, ctx: () => CliContext): void {
  program
    .command('approvals')
    .description('list pending approvals of gated tool calls, soonest expiry first')
    .option('--session <sessionId>', "only this session's approvals")
    .option('--limit <n>', 'at most this many', positiveInt, 100)
    .option('--json', 'print JSON')
    .action(async (opts: { session?: string; limit: number; json?: boolean }) => {
      const approvals = await ctx().producer.approvals.list({ limit: opts.limit, ...(opts.session ? { sessionId: opts.session } : {}) });
      if (opts.json) {
        printJson(approvals);
        return;
      }
      printTable(
        approvals.map((a) => ({
          approvalId: shortId(a.approvalId),
          session: shortId(a.sessionId),
          tool: a.tool,
          risk: a.risk,
          tenant: a.tenant ?? '',
          input: a.input,
          reason: a.reason,
          expiresAt: new Date(a.expiresAt).toISOString(),
        })),
        undefined,
        40,
      );
    });
}

export function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError('must be a positive integer');
  return n;
}

/** Who decides when `--by` is not given: the OS user, so the record never says nobody. */
export function defaultDecider(): string {
  return process.env.USER || process.env.USERNAME || 'cli';
}
