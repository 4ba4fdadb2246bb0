import { z } from 'zod';
import { AgentqError } from '../errors/agentq-error.js';

/** Blank strings mean "unset": `z.coerce.number()` would otherwise turn `""` into 0. */
export function blankToUndefined(value: unknown): unknown {
  return typeof value === 'string' && value.trim() === '' ? undefined : value;
}

export const envInt = (min = 0) => z.preprocess(blankToUndefined, z.coerce.number().int().min(min).optional());
export const envNumber = () => z.preprocess(blankToUndefined, z.coerce.number().optional());
export const envString = () => z.preprocess(blankToUndefined, z.string().optional());
/** `z.coerce.boolean()` reads "false" as true; this reads 1/true/yes/on and 0/false/no/off. */
export const envBool = () =>
  z.preprocess((value) => {
    const v = blankToUndefined(value);
    if (typeof v !== 'string') return v;
    const lower = v.toLowerCase();
    if (['1', 'true', 'yes', 'on'].includes(lower)) return true;
    if (['0', 'false', 'no', 'off'].includes(lower)) return false;
    return v;
  }, z.boolean().optional());
export const envUrl = () => z.preprocess(blankToUndefined, z.url().optional());

/**
 * Parses `env` with a schema whose keys are variable names. A bad value throws one error naming every
 * bad variable, so a process can stop at start-up with a message an operator can act on.
 */
export function parseEnv<S extends z.ZodObject>(schema: S, env: NodeJS.ProcessEnv = process.env): z.infer<S> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  const lines = result.error.issues.map((issue) => {
    const name = issue.path.join('.');
    const raw = env[name];
    return `${name}=${raw === undefined ? '(unset)' : JSON.stringify(raw)}: ${issue.message}`;
  });
  throw new AgentqError('config_invalid', `invalid environment:\n  ${lines.join('\n  ')}`);
}
