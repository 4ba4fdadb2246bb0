import type { Command } from 'commander';
import { type CliContext, printJson } from '../cli-context.js';
import { defaultDecider } from './approvals.js';

export function registerSend(program: Command, ctx: () => CliContext): void {
  program
    .command('send')
    .description('send a message to a session: the answer to its open ask_human question, or a new turn of a completed session')
    .argument('<sessionId>')
    .argument('<text...>', 'the message (several words are joined with spaces)')
    .option('--by <who>', 'who sends it (recorded)', defaultDecider())
    .option('--json', 'print JSON')
    .action(async (sessionId: string, words: string[], opts: { by: string; json?: boolean }) => {
      const outcome = await ctx().producer.send(sessionId, words.join(' '), { by: opts.by });
      if (opts.json) {
        printJson(outcome);
        return;
      }
      const what = outcome.kind === 'continued' ? 'new turn started' : `answered question ${outcome.toolUseId}`;
      process.stdout.write(`${sessionId}: ${what}; ${outcome.resumed ? 'session resumed' : 'the session still waits for other answers'}\n`);
    });
}
