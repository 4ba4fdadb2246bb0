import type { z } from 'zod';
import { HttpError } from './http-error.js';

/** Parses request input with a zod schema; a bad value is a 400 `invalid_payload` naming the field. */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown, what: string): z.infer<S> {
  const result = schema.safeParse(value ?? {});
  if (result.success) return result.data;
  const issues = result.error.issues.map((i) => `${i.path.join('.') || what}: ${i.message}`).join('; ');
  throw new HttpError(400, 'invalid_payload', `invalid ${what}: ${issues}`);
}
