import { AgentqError } from '@agentq/shared';
import type { Command } from 'commander';
import { type CliContext, printJson } from '../cli-context.js';
import { resolveApprovalId } from '../resolve-approval-id.js';
import { defaultDecider } from './approvals.js';

export function registerApprove(program: Command, ctx: () => CliContext): void {
  program
    .command('approve')
    .description('approve a gated tool call: it runs once when its session resumes')
    .argument('<approvalId>', 'the whole id, or the short form `agentq approvals` shows')
    .option('--by <who>', 'who approves (recorded)', defaultDecider())
    .option('--reason <text>', 'a note kept with the decision')
    .option('--input <json>', "run the call with this input instead of the model's (a JSON object, checked against the tool's schema)")
    .option('--json', 'print JSON')
    .action(async (shown: string, opts: { by: string; reason?: string; input?: string; json?: boolean }) => {
      const approvalId = await resolveApprovalId(ctx().producer, shown);
      const input = opts.input === undefined ? undefined : parseInputOption(opts.input);
      const { approval, resumed, remaining } = await ctx().producer.approvals.approve(approvalId, {
        by: opts.by,
        ...(opts.reason ? { reason: opts.reason } : {}),
        ...(input ? { input } : {}),
      });
      if (opts.json) {
        printJson({ ...approval, resumed, remaining });
        return;
      }
      const next = resumed ? 'session resumed' : `${remaining} more pending approval${remaining === 1 ? '' : 's'} in this session`;
      process.stdout.write(`${approvalId}: approved by ${approval.decidedBy} (${approval.tool}); ${next}\n`);
    });
}

function parseInputOption(text: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new AgentqError('invalid_payload', '--input must be a JSON object');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new AgentqError('invalid_payload', '--input must be a JSON object');
  return value as Record<string, unknown>;
}
