import { pino } from 'pino';
import { scrubSecrets } from './scrub-secrets.js';

export type Logger = pino.Logger;

/** Paths pino redacts on every line: keys, auth headers, and tool inputs' sensitive fields (added per call). */
export const REDACT_PATHS = [
  'apiKey',
  '*.apiKey',
  'headers.authorization',
  'headers["x-api-key"]',
  '*.headers.authorization',
  '*.headers["x-api-key"]',
  'authorization',
  'ANTHROPIC_API_KEY',
  '*.ANTHROPIC_API_KEY',
  'token',
  '*.token',
  'password',
  '*.password',
];

export interface LoggerOptions {
  name: string;
  /** @defaultValue 'info' */
  level?: string;
  /** Human-readable output through pino-pretty instead of JSON. @defaultValue false */
  pretty?: boolean;
  /** Where to write; defaults to stdout. */
  destination?: pino.DestinationStream;
}

export function createLogger(options: LoggerOptions): Logger {
  const base: pino.LoggerOptions = {
    name: options.name,
    level: options.level ?? 'info',
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    base: { pid: process.pid },
    // Paths only reach known places; a secret nested deeper (an SDK error's request headers, a config
    // object) or pasted into a message string is caught by walking the line before it is written.
    formatters: { log: (object) => scrubSecrets(object) as Record<string, unknown> },
    hooks: {
      logMethod(args, method) {
        method.apply(this, args.map((arg) => (typeof arg === 'string' ? (scrubSecrets(arg) as string) : arg)) as Parameters<typeof method>);
      },
    },
  };
  if (options.destination) return pino(base, options.destination);
  if (options.pretty) return pino({ ...base, transport: { target: 'pino-pretty', options: { colorize: true } } });
  return pino(base);
}
