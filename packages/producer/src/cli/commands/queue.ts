import type { Command } from 'commander';
import type { QueueStatus } from '../../queue/queue-control.js';
import { QueueControl } from '../../queue/queue-control.js';
import { type CliContext, printJson } from '../cli-context.js';

function print(status: QueueStatus, json: boolean | undefined): void {
  if (json) return printJson(status);
  const held = status.paused ? 'paused by an operator' : status.rateLimitPauseMs > 0 ? `rate-limit pause, ${Math.ceil(status.rateLimitPauseMs / 1000)} s left` : 'running';
  const c = status.counts;
  process.stdout.write(`${status.queue}: ${held}; waiting ${c.waiting}, active ${c.active}, delayed ${c.delayed}, prioritized ${c.prioritized}, failed ${c.failed}\n`);
}

export function registerQueue(program: Command, ctx: () => CliContext): void {
  const queue = program.command('queue').description('see and control the queue: status, pause, resume (resume also lifts a rate-limit pause)');
  const control = () => new QueueControl(ctx().producer.queue);
  queue
    .command('status')
    .description('operator pause, rate-limit pause left, job counts')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }) => print(await control().status(), opts.json));
  queue
    .command('pause')
    .description('hold every worker: steps in flight finish, no new step starts')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }) => print(await control().pause(), opts.json));
  queue
    .command('resume')
    .description('lift an operator pause and any rate-limit pause in force')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }) => print(await control().resume(), opts.json));
}
