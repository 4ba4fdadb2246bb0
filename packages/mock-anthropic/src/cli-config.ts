import { parseArgs } from 'node:util';
import { checkNumber, type MockOptions } from './options.js';

type NumericOption = 'port' | 'latencyMs' | 'jitterMs' | 'chunkDelayMs' | 'rpm' | 'itpm' | 'otpm' | 'failRate' | 'overloadRate' | 'seed' | 'batchDelayMs';

interface Setting {
  flag: string;
  env: string;
  option: NumericOption | 'host';
  help: string;
}

/** Every CLI flag, the environment variable behind it, and the option it sets. */
export const CLI_SETTINGS: readonly Setting[] = [
  { flag: 'port', env: 'MOCK_ANTHROPIC_PORT', option: 'port', help: '0 picks a free port (default 0)' },
  { flag: 'host', env: 'MOCK_ANTHROPIC_HOST', option: 'host', help: 'interface to listen on (default 127.0.0.1)' },
  { flag: 'latency-ms', env: 'MOCK_ANTHROPIC_LATENCY_MS', option: 'latencyMs', help: 'fixed delay before each answer (default 0)' },
  { flag: 'jitter-ms', env: 'MOCK_ANTHROPIC_JITTER_MS', option: 'jitterMs', help: 'random extra delay, 0..N ms (default 0)' },
  { flag: 'chunk-delay-ms', env: 'MOCK_ANTHROPIC_CHUNK_DELAY_MS', option: 'chunkDelayMs', help: 'delay between SSE chunks (default 5)' },
  { flag: 'rpm', env: 'MOCK_ANTHROPIC_RPM', option: 'rpm', help: 'requests per minute (default unlimited)' },
  { flag: 'itpm', env: 'MOCK_ANTHROPIC_ITPM', option: 'itpm', help: 'input tokens per minute (default unlimited)' },
  { flag: 'otpm', env: 'MOCK_ANTHROPIC_OTPM', option: 'otpm', help: 'output tokens per minute (default unlimited)' },
  { flag: 'fail-rate', env: 'MOCK_ANTHROPIC_FAIL_RATE', option: 'failRate', help: 'probability 0..1 of a 500 api_error (default 0)' },
  { flag: 'overload-rate', env: 'MOCK_ANTHROPIC_OVERLOAD_RATE', option: 'overloadRate', help: 'probability 0..1 of a 529 overloaded_error (default 0)' },
  { flag: 'batch-delay-ms', env: 'MOCK_ANTHROPIC_BATCH_DELAY_MS', option: 'batchDelayMs', help: 'time a Message Batch stays in_progress (default 0)' },
  { flag: 'seed', env: 'MOCK_ANTHROPIC_SEED', option: 'seed', help: 'seed for the random rates and jitter (default random)' },
];

export const USAGE = `Usage: mock-anthropic [options]

A Messages-API-compatible server. Prints {"url":"http://HOST:PORT"} once listening.

${CLI_SETTINGS.map((s) => `  --${s.flag.padEnd(16)} ${s.help}\n  ${''.padEnd(18)} env ${s.env}`).join('\n')}
  --help             show this help`;

export type CliConfig = { kind: 'run'; options: MockOptions } | { kind: 'help' } | { kind: 'error'; message: string };

/**
 * Turns argv and the environment into options; a flag wins over its variable, and a blank variable counts as
 * unset (as every agentq process reads its environment). Never throws.
 */
export function resolveCliConfig(argv: readonly string[], env: NodeJS.ProcessEnv): CliConfig {
  let values: Record<string, string | boolean | undefined>;
  try {
    const parsed = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        help: { type: 'boolean', short: 'h' },
        ...Object.fromEntries(CLI_SETTINGS.map((s) => [s.flag, { type: 'string' as const }])),
      },
    });
    values = parsed.values;
  } catch (err) {
    return { kind: 'error', message: (err as Error).message };
  }
  if (values.help === true) return { kind: 'help' };

  const options: Record<string, unknown> = {};
  for (const s of CLI_SETTINGS) {
    const fromFlag = values[s.flag];
    const fromEnv = env[s.env]?.trim() === '' ? undefined : env[s.env];
    const text = typeof fromFlag === 'string' ? fromFlag : fromEnv;
    if (text === undefined) continue;
    const source = typeof fromFlag === 'string' ? `--${s.flag}` : s.env;
    if (s.option === 'host') {
      if (text.trim() === '') return { kind: 'error', message: `${source} must not be empty` };
      options.host = text.trim();
      continue;
    }
    const value = text.trim() === '' ? Number.NaN : Number(text);
    const problem = checkNumber(s.option, value);
    if (problem) return { kind: 'error', message: `${source} ${problem} (got ${JSON.stringify(text)})` };
    options[s.option] = value;
  }
  return { kind: 'run', options: options as MockOptions };
}
