import { type Command, InvalidArgumentError, Option } from 'commander';
import { formatStats } from '../../stats/format-stats.js';
import { parseDuration } from '../../stats/parse-duration.js';
import { type CliContext, printJson } from '../cli-context.js';

function duration(value: string): number {
  const ms = parseDuration(value);
  if (ms === undefined || ms <= 0) throw new InvalidArgumentError('must be a duration such as 30m, 1h, 7d or 1h30m');
  return ms;
}

export function registerStats(program: Command, ctx: () => CliContext): void {
  program
    .command('stats')
    .description('per-tool and per-agent numbers, loops, approvals and rate limits, from the event log')
    .addOption(new Option('--since <duration>', 'window ending now, e.g. 15m, 1h, 7d').argParser(duration).default(parseDuration('1h'), '1h'))
    .option('--agent <name>', 'only this agent')
    .option('--json', 'print JSON')
    .action(async (opts: { since: number; agent?: string; json?: boolean }) => {
      const now = Date.now();
      const stats = await ctx().producer.stats({ since: now - opts.since, until: now, ...(opts.agent ? { agent: opts.agent } : {}) });
      if (opts.json) printJson(stats);
      else process.stdout.write(`${formatStats(stats)}\n`);
    });
}
