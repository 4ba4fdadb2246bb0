import { redisTargetOf } from '@agentq/shared';
import { AgentProducer } from '../agent-producer.js';
import { type ProducerEnv, readProducerEnv } from '../config/producer-env.js';

/** What every command gets: the validated env and a producer opened on first use. */
export class CliContext {
  private producerInstance: AgentProducer | undefined;
  readonly env: ProducerEnv;

  constructor(env: NodeJS.ProcessEnv = process.env) {
    this.env = readProducerEnv(env);
  }

  get producer(): AgentProducer {
    this.producerInstance ??= new AgentProducer({
      connection: redisTargetOf(this.env),
      shards: this.env.AGENTQ_QUEUE_SHARDS,
      queueName: this.env.AGENTQ_QUEUE,
      prefix: this.env.AGENTQ_PREFIX,
      ...(this.env.AGENTQ_STEP_ATTEMPTS ? { stepAttempts: this.env.AGENTQ_STEP_ATTEMPTS } : {}),
      ...(this.env.AGENTQ_STEP_BACKOFF_MS !== undefined ? { stepBackoffMs: this.env.AGENTQ_STEP_BACKOFF_MS } : {}),
      allowUnregistered: this.env.AGENTQ_ALLOW_UNREGISTERED ?? false,
    });
    return this.producerInstance;
  }

  async close(): Promise<void> {
    await this.producerInstance?.close();
  }
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** A plain aligned table for people, cells cut at `maxCell` characters; `--json` is for programs. */
export function printTable(rows: Array<Record<string, unknown>>, columns?: string[], maxCell = 60): void {
  if (rows.length === 0) {
    process.stdout.write('(none)\n');
    return;
  }
  const cols = columns ?? Object.keys(rows[0] as object);
  const cell = (v: unknown) => (v === undefined || v === null ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v));
  const widths = cols.map((c) => Math.max(c.length, ...rows.map((r) => Math.min(cell(r[c]).length, maxCell))));
  const line = (values: string[]) => values.map((v, i) => (v.length > maxCell ? `${v.slice(0, maxCell - 1)}…` : v).padEnd(widths[i] as number)).join('  ');
  process.stdout.write(`${line(cols)}\n${line(widths.map((w) => '-'.repeat(w)))}\n`);
  for (const row of rows) process.stdout.write(`${line(cols.map((c) => cell(row[c])))}\n`);
}
