import type { Command } from 'commander';
import { type CliContext, printJson, printTable } from '../cli-context.js';

export function registerAgents(program: Command, ctx: () => CliContext): void {
  program
    .command('agents')
    .description("list the agents this queue's workers have published: definition hash, limits, tools, workers")
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }) => {
      const agents = await ctx().producer.registry.list();
      if (opts.json) {
        printJson(agents);
        return;
      }
      printTable(
        agents.flatMap((agent) =>
          agent.definitions.map((d) => ({
            agent: agent.name,
            hash: d.hash,
            model: d.model,
            maxAutoRisk: d.ceiling.maxAutoRisk,
            maxSteps: d.ceiling.maxSteps,
            tools: d.tools.map((t) => `${t.name}(${t.risk}${t.idempotent ? '' : ', not idempotent'})`).join(' '),
            workers: `${d.workers.filter((w) => w.live).length} live / ${d.workers.length}`,
          })),
        ),
        ['agent', 'hash', 'model', 'maxAutoRisk', 'maxSteps', 'workers', 'tools'],
      );
    });
}
