/** A tool's input with its `sensitive` fields replaced, as events and approvals store it. */
export function redact(input: unknown, sensitive: readonly string[]): unknown {
  if (sensitive.length === 0 || typeof input !== 'object' || input === null || Array.isArray(input)) return input;
  const copy: Record<string, unknown> = { ...(input as Record<string, unknown>) };
  for (const field of sensitive) if (field in copy) copy[field] = '[redacted]';
  return copy;
}
