/** Persisted text from outside (tool errors, API messages) is bounded so one bad value cannot bloat Redis. */
export const MAX_ERROR_MESSAGE_CHARS = 2000;
const MAX_STACK_FRAMES = 8;

export function truncateText(text: string, max: number): string {
  if (text.length <= max) return text;
  return `${text.slice(0, max)}… [${text.length - max} more characters cut]`;
}

export interface SerializedError {
  name: string;
  message: string;
  code?: string;
  stack?: string;
}

export function serializeError(error: unknown): SerializedError {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    const out: SerializedError = { name: error.name, message: truncateText(error.message, MAX_ERROR_MESSAGE_CHARS) };
    if (typeof code === 'string') out.code = code;
    if (error.stack)
      out.stack = error.stack
        .split('\n')
        .slice(0, MAX_STACK_FRAMES + 1)
        .join('\n');
    return out;
  }
  return { name: 'NonError', message: truncateText(String(error), MAX_ERROR_MESSAGE_CHARS) };
}
