import { Command } from 'commander';
import { CliContext } from './cli-context.js';
import { registerAgents } from './commands/agents.js';
import { registerApprovals } from './commands/approvals.js';
import { registerApprove } from './commands/approve.js';
import { registerCancel } from './commands/cancel.js';
import { registerDashboard } from './commands/dashboard.js';
import { registerDeny } from './commands/deny.js';
import { registerEnqueue } from './commands/enqueue.js';
import { registerMetrics } from './commands/metrics.js';
import { registerQueue } from './commands/queue.js';
import { registerReplay } from './commands/replay.js';
import { registerSend } from './commands/send.js';
import { registerSessions } from './commands/sessions.js';
import { registerStats } from './commands/stats.js';
import { registerStatus } from './commands/status.js';
import { registerTenants } from './commands/tenants.js';

/** The `agentq` command line. Every command takes `--json`. */
export function buildProgram(): { program: Command; close: () => Promise<void> } {
  let context: CliContext | undefined;
  const ctx = () => (context ??= new CliContext());
  const program = new Command().name('agentq').description('Run and operate Claude agents on BullMQ and Redis.').showHelpAfterError();
  registerEnqueue(program, ctx);
  registerStatus(program, ctx);
  registerSessions(program, ctx);
  registerCancel(program, ctx);
  registerApprovals(program, ctx);
  registerApprove(program, ctx);
  registerDeny(program, ctx);
  registerSend(program, ctx);
  registerReplay(program, ctx);
  registerStats(program, ctx);
  registerQueue(program, ctx);
  registerDashboard(program, ctx);
  registerMetrics(program, ctx);
  registerAgents(program, ctx);
  registerTenants(program, ctx);
  return { program, close: async () => context?.close() };
}
