import type { Command } from 'commander';
import { type CliContext, printJson } from '../cli-context.js';

export function registerCancel(program: Command, ctx: () => CliContext): void {
  program
    .command('cancel')
    .description('stop a session at its next step boundary (a parked session stops at once)')
    .argument('<sessionId>')
    .option('--json', 'print JSON')
    .action(async (sessionId: string, opts: { json?: boolean }) => {
      const status = await ctx().producer.cancel(sessionId);
      if (opts.json) printJson({ sessionId, status });
      else process.stdout.write(`${sessionId}: ${status === 'cancel_requested' ? 'cancel requested; it stops at its next step boundary' : status}\n`);
    });
}
