import { z } from 'zod';
import { ENV } from './env-keys.js';
import { envBool, envString, envUrl } from './parse-env.js';

/** Variables every agentq process reads. */
export const CommonEnv = z.object({
  [ENV.REDIS_URL]: z.preprocess(
    (v) => (typeof v === 'string' && v.trim() === '' ? undefined : v),
    z.string().regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL').default('redis://127.0.0.1:6379'),
  ),
  [ENV.QUEUE]: z.preprocess(
    (v) => (typeof v === 'string' && v.trim() === '' ? undefined : v),
    z.string().regex(/^[A-Za-z0-9_-]+$/, 'may hold only letters, digits, "_" and "-"').default('agentq'),
  ),
  [ENV.PREFIX]: z.preprocess(
    (v) => (typeof v === 'string' && v.trim() === '' ? undefined : v),
    z.string().regex(/^[A-Za-z0-9_{}-]+$/, 'may hold only letters, digits, "_", "-" and braces').default('aq'),
  ),
  [ENV.LOG_LEVEL]: z.preprocess(
    (v) => (typeof v === 'string' && v.trim() === '' ? undefined : v),
    z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  ),
  [ENV.LOG_PRETTY]: envBool(),
  [ENV.ALERT_WEBHOOK_URL]: envUrl(),
  [ENV.ANTHROPIC_BASE_URL]: envUrl(),
  [ENV.ANTHROPIC_API_KEY]: envString(),
});
export type CommonEnv = z.infer<typeof CommonEnv>;
