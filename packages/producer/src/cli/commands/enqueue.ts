import { readFileSync } from 'node:fs';
import { AgentqError, type SessionResult, StartSessionInput } from '@agentq/shared';
import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import { type CliContext, printJson, printTable } from '../cli-context.js';

/** Reads one `producer.start` argument object per line; blank lines and `#` comments are skipped. */
export function readJsonl(path: string): StartSessionInput[] {
  const text = path === '-' ? readFileSync(0, 'utf8') : readFileSync(path, 'utf8');
  const out: StartSessionInput[] = [];
  text.split('\n').forEach((line, index) => {
    const trimmed = line.trim();
    if (!trimmed || trimmed.startsWith('#')) return;
    let value: unknown;
    try {
      value = JSON.parse(trimmed);
    } catch (error) {
      throw new AgentqError('invalid_payload', `${path}:${index + 1}: not JSON (${(error as Error).message})`);
    }
    const parsed = StartSessionInput.safeParse(value);
    if (!parsed.success) {
      const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(line)'}: ${i.message}`).join('; ');
      throw new AgentqError('invalid_payload', `${path}:${index + 1}: ${issues}`);
    }
    out.push(parsed.data as StartSessionInput);
  });
  return out;
}

export function registerEnqueue(program: Command, ctx: () => CliContext): void {
  program
    .command('enqueue')
    .description('start one session per line of a JSONL file (each line is a producer.start argument)')
    .argument('<file>', 'JSONL file, or - for standard input')
    .option('--wait', 'wait until every session is terminal and print the results')
    .option('--timeout <ms>', 'with --wait: give up after this long', Number)
    .option('--json', 'print JSON (ids, or results with --wait) in input order')
    .action(async (file: string, opts: { wait?: boolean; json?: boolean; timeout?: number }) => {
      const inputs = readJsonl(file);
      const producer = ctx().producer;
      const started = await producer.startBatch(inputs);
      const ids = started.map((s) => s.sessionId);
      if (!opts.wait) {
        if (opts.json) printJson(ids);
        else for (const id of ids) process.stdout.write(`${id}\n`);
        return;
      }
      const bar = opts.json || !process.stderr.isTTY ? undefined : new cliProgress.SingleBar({ format: 'sessions [{bar}] {value}/{total} terminal', stream: process.stderr }, cliProgress.Presets.shades_classic);
      bar?.start(ids.length, 0);
      const results: SessionResult[] = await producer.waitAll(ids, {
        ...(opts.timeout ? { timeoutMs: opts.timeout } : {}),
        onProgress: (done) => bar?.update(done),
      });
      bar?.stop();
      if (opts.json) printJson(results);
      else printTable(results.map((r) => ({ sessionId: r.sessionId, status: r.status, steps: r.steps, tokens: r.usage.inputTokens + r.usage.outputTokens, error: r.error?.code ?? '', output: r.output ?? '' })));
    });
}
