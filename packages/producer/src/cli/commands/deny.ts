import type { Command } from 'commander';
import { type CliContext, printJson } from '../cli-context.js';
import { resolveApprovalId } from '../resolve-approval-id.js';
import { defaultDecider } from './approvals.js';

export function registerDeny(program: Command, ctx: () => CliContext): void {
  program
    .command('deny')
    .description('deny a gated tool call: it never runs and the model is told why')
    .argument('<approvalId>', 'the whole id, or the short form `agentq approvals` shows')
    .requiredOption('--reason <text>', 'why (the model reads it)')
    .option('--by <who>', 'who denies (recorded)', defaultDecider())
    .option('--json', 'print JSON')
    .action(async (shown: string, opts: { by: string; reason: string; json?: boolean }) => {
      const approvalId = await resolveApprovalId(ctx().producer, shown);
      const { approval, resumed, remaining } = await ctx().producer.approvals.deny(approvalId, { by: opts.by, reason: opts.reason });
      if (opts.json) {
        printJson({ ...approval, resumed, remaining });
        return;
      }
      const next = resumed ? 'session resumed' : `${remaining} more pending approval${remaining === 1 ? '' : 's'} in this session`;
      process.stdout.write(`${approvalId}: denied by ${approval.decidedBy} (${approval.tool}: ${opts.reason}); ${next}\n`);
    });
}
