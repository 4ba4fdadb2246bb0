import { type Command, InvalidArgumentError } from 'commander';
import { formatTimeline } from '../../replay/format-timeline.js';
import { type CliContext, printJson } from '../cli-context.js';

function stepNumber(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('must be a whole number ≥ 0');
  return n;
}

export function registerReplay(program: Command, ctx: () => CliContext): void {
  program
    .command('replay')
    .description(
      "print a session's timeline (model calls, tool calls with input and result, decisions, final state); with --from-step, fork a new session from that step",
    )
    .argument('<sessionId>')
    .option('--from-step <k>', 'fork: start a new session at step k with the history before it', stepNumber)
    .option('--agent <name>', 'fork: run the new session with this agent (default: the same agent)')
    .option('--wait', 'fork: wait for the new session to end and print its result')
    .option('--timeout <ms>', 'fork: with --wait, give up after this many ms', Number)
    .option('--json', 'print JSON')
    .action(async (sessionId: string, opts: { fromStep?: number; agent?: string; wait?: boolean; timeout?: number; json?: boolean }) => {
      const producer = ctx().producer;
      if (opts.fromStep === undefined) {
        if (opts.agent) throw new InvalidArgumentError('--agent needs --from-step (it picks the agent of a fork)');
        const timeline = await producer.timeline(sessionId);
        if (opts.json) printJson(timeline);
        else process.stdout.write(`${formatTimeline(timeline)}\n`);
        return;
      }
      const fork = await producer.fork(sessionId, { fromStep: opts.fromStep, ...(opts.agent ? { agent: opts.agent } : {}) });
      const result = opts.wait ? await producer.wait(fork.sessionId, opts.timeout !== undefined ? { timeoutMs: opts.timeout } : {}) : undefined;
      if (opts.json) {
        printJson({ sessionId: fork.sessionId, forkedFrom: { sessionId, step: opts.fromStep }, ...(result ? { result } : {}) });
        return;
      }
      process.stdout.write(`${fork.sessionId}: forked from ${sessionId} at step ${opts.fromStep}${opts.agent ? ` with agent ${opts.agent}` : ''}; queued\n`);
      if (result)
        process.stdout.write(`${fork.sessionId}: ${result.status} after ${result.steps} steps${result.output !== null ? `: ${result.output}` : ''}\n`);
    });
}
