/** One Server-Sent Event as a browser's EventSource would see it. */
export interface SseMessage {
  id: string | undefined;
  event: string;
  data: string;
}

/**
 * Reads an SSE response with fetch, as EventSource does, handing each message to `onMessage`; returning
 * `false` from it disconnects. Resolves with the status and the messages read.
 */
export async function readSse(
  url: string,
  options: { headers?: Record<string, string>; onMessage?: (message: SseMessage) => boolean | void } = {},
): Promise<{ status: number; messages: SseMessage[] }> {
  const abort = new AbortController();
  const response = await fetch(url, { headers: { Accept: 'text/event-stream', ...options.headers }, signal: abort.signal });
  const messages: SseMessage[] = [];
  if (!response.ok || !response.body) {
    await response.body?.cancel();
    return { status: response.status, messages };
  }
  const decoder = new TextDecoder();
  let buffer = '';
  try {
    for await (const chunk of response.body) {
      buffer += decoder.decode(chunk as Uint8Array, { stream: true });
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const message = parseBlock(block);
        if (!message) continue;
        messages.push(message);
        if (options.onMessage?.(message) === false) {
          abort.abort();
          return { status: response.status, messages };
        }
      }
    }
  } catch (error) {
    if (!abort.signal.aborted) throw error;
  }
  return { status: response.status, messages };
}

function parseBlock(block: string): SseMessage | undefined {
  let id: string | undefined;
  let event = 'message';
  const data: string[] = [];
  for (const line of block.split('\n')) {
    if (line.startsWith(':') || line === '') continue;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'id') id = value;
    else if (field === 'event') event = value;
    else if (field === 'data') data.push(value);
  }
  return data.length > 0 ? { id, event, data: data.join('\n') } : undefined;
}
