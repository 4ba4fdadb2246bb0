import type { Command } from 'commander';
import type { QueueStatus } from '../../queue/queue-control.js';
import { queueControls } from '../../queue/queue-control.js';
import { type CliContext, printJson } from '../cli-context.js';

function printAll(statuses: QueueStatus[], json: boolean | undefined): void {
  if (json) return printJson(statuses.length === 1 ? statuses[0] : statuses);
  for (const status of statuses) print(status);
}

function print(status: QueueStatus): void {
  const held = status.paused
    ? 'paused by an operator'
    : status.rateLimitPauseMs > 0
      ? `rate-limit pause, ${Math.ceil(status.rateLimitPauseMs / 1000)} s left`
      : 'running';
  const c = status.counts;
  process.stdout.write(
    `${status.queue}: ${held}; waiting ${c.waiting}, active ${c.active}, delayed ${c.delayed}, prioritized ${c.prioritized}, failed ${c.failed}\n`,
  );
}

export function registerQueue(program: Command, ctx: () => CliContext): void {
  const queue = program.command('queue').description('see and control the queue: status, pause, resume (resume also lifts a rate-limit pause)');
  type Opts = { json?: boolean; shard?: string };
  // Every shard's queue unless `--shard` names one; a fleet with several prints one status per shard.
  const run = async (opts: Opts, act: 'status' | 'pause' | 'resume') => {
    const shard = opts.shard === undefined ? undefined : Number(opts.shard);
    const controls = queueControls(ctx().producer.queues, shard);
    printAll(await Promise.all(controls.map((c) => c[act]())), opts.json);
  };
  queue
    .command('status')
    .description('operator pause, rate-limit pause left, job counts')
    .option('--json', 'print JSON (an array when the fleet has several shards)')
    .option('--shard <n>', 'only this queue shard')
    .action((opts: Opts) => run(opts, 'status'));
  queue
    .command('pause')
    .description('hold every worker: steps in flight finish, no new step starts')
    .option('--json', 'print JSON (an array when the fleet has several shards)')
    .option('--shard <n>', 'only this queue shard')
    .action((opts: Opts) => run(opts, 'pause'));
  queue
    .command('resume')
    .description('lift an operator pause and any rate-limit pause in force')
    .option('--json', 'print JSON (an array when the fleet has several shards)')
    .option('--shard <n>', 'only this queue shard')
    .action((opts: Opts) => run(opts, 'resume'));
}
