import { readFileSync } from 'node:fs';
import { AgentqError, type SessionResult, type StartSessionInput } from '@agentq/shared';
import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import { type CliContext, printJson, printTable } from '../cli-context.js';

/** The lines of a JSONL file as parsed JSON values, each with its `file:line` label for errors. */
export interface JsonlBatch {
  values: unknown[];
  labels: string[];
}

/**
 * Reads one `producer.start` argument object per line; blank lines and `#` comments are skipped. Lines are
 * only parsed as JSON here: the producer checks caps, schema, ids, agents and limits for the whole batch.
 */
export function readJsonl(path: string): JsonlBatch {
  const text = path === '-' ? readFileSync(0, 'utf8') : readFileSync(path, 'utf8');
  const batch: JsonlBatch = { values: [], labels: [] };
  text.split('\n').forEach((line, index) => {
    const trimmed = line.trim();
    if (!trimmed || trimmed.startsWith('#')) return;
    try {
      batch.values.push(JSON.parse(trimmed));
    } catch (error) {
      throw new AgentqError('invalid_payload', `${path}:${index + 1}: not JSON (${(error as Error).message})`);
    }
    batch.labels.push(`${path}:${index + 1}`);
  });
  return batch;
}

export function registerEnqueue(program: Command, ctx: () => CliContext): void {
  program
    .command('enqueue')
    .description('start one session per line of a JSONL file (each line is a producer.start argument)')
    .argument('<file>', 'JSONL file, or - for standard input')
    .option('--wait', 'wait until every session is terminal and print the results')
    .option('--timeout <ms>', 'with --wait: give up after this long', Number)
    .option('--json', 'print JSON (ids, or results with --wait) in input order')
    .option('--skip-existing', 'skip lines whose sessionId is already taken instead of refusing the file')
    .option('--allow-unregistered', 'accept agents no worker has published yet (env AGENTQ_ALLOW_UNREGISTERED)')
    .action(async (file: string, opts: { wait?: boolean; json?: boolean; timeout?: number; skipExisting?: boolean; allowUnregistered?: boolean }) => {
      const batch = readJsonl(file);
      const producer = ctx().producer;
      // Lines are untrusted JSON: startBatch checks each one before anything is queued.
      const started = await producer.startBatch(batch.values as StartSessionInput[], {
        labels: batch.labels,
        skipExisting: opts.skipExisting ?? false,
        ...(opts.allowUnregistered ? { allowUnregistered: true } : {}),
      });
      const ids = started.map((s) => s.sessionId);
      if (!opts.wait) {
        if (opts.json) printJson(ids);
        else for (const id of ids) process.stdout.write(`${id}\n`);
        return;
      }
      const bar =
        opts.json || !process.stderr.isTTY
          ? undefined
          : new cliProgress.SingleBar({ format: 'sessions [{bar}] {value}/{total} terminal', stream: process.stderr }, cliProgress.Presets.shades_classic);
      bar?.start(ids.length, 0);
      const results: SessionResult[] = await producer.waitAll(ids, {
        ...(opts.timeout ? { timeoutMs: opts.timeout } : {}),
        onProgress: (done) => bar?.update(done),
      });
      bar?.stop();
      if (opts.json) printJson(results);
      else
        printTable(
          results.map((r) => ({
            sessionId: r.sessionId,
            status: r.status,
            steps: r.steps,
            tokens: r.usage.inputTokens + r.usage.outputTokens,
            error: r.error?.code ?? '',
            output: r.output ?? '',
          })),
        );
    });
}
