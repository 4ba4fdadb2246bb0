import type { ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ErrorBody, Message, OutputBlock } from './wire-types.js';

export interface StreamOptions {
  chunkDelayMs: number;
  /** Sent as `event: error` part-way through the first content block, ending the stream. */
  midStreamError?: ErrorBody;
}

const TEXT_CHUNK = 12;
const JSON_CHUNK = 16;

function chunks(text: string, size: number): string[] {
  // Split by code point so a delta never carries half a surrogate pair.
  const points = Array.from(text);
  const out: string[] = [];
  for (let i = 0; i < points.length; i += size) out.push(points.slice(i, i + size).join(''));
  return out;
}

function startBlock(block: OutputBlock): OutputBlock {
  if (block.type === 'text') return { ...block, text: '' };
  if (block.type === 'thinking') return { ...block, thinking: '', signature: '' };
  if (block.type === 'tool_use' || block.type === 'server_tool_use') return { ...block, input: {} };
  // A server tool's result arrives whole in its content_block_start.
  return block;
}

function deltas(block: OutputBlock): Record<string, unknown>[] {
  if (block.type !== 'text' && block.type !== 'thinking' && block.type !== 'tool_use' && block.type !== 'server_tool_use') return [];
  if (block.type === 'text') return chunks(block.text, TEXT_CHUNK).map((text) => ({ type: 'text_delta', text }));
  if (block.type === 'thinking') {
    // The API streams the thinking text, then the whole signature in one signature_delta.
    return [
      ...chunks(block.thinking, TEXT_CHUNK).map((thinking) => ({ type: 'thinking_delta', thinking })),
      { type: 'signature_delta', signature: block.signature },
    ];
  }
  // The API opens a tool block's input with an empty partial_json.
  return ['', ...chunks(JSON.stringify(block.input), JSON_CHUNK)].map((partial_json) => ({
    type: 'input_json_delta',
    partial_json,
  }));
}

/**
 * Writes `message` as the API's server-sent events: message_start, ping, then
 * per block content_block_start / _delta / _stop, then message_delta (stop
 * reason and final usage) and message_stop. Stops early when the client goes
 * away. Resolves once the stream has ended.
 */
export async function streamMessage(res: ServerResponse, message: Message, opts: StreamOptions): Promise<void> {
  const gone = (): boolean => res.destroyed || res.writableEnded;
  const send = (event: string, data: unknown): void => {
    if (!gone()) res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  };
  const pause = async (): Promise<void> => {
    if (opts.chunkDelayMs > 0 && !gone()) await sleep(opts.chunkDelayMs);
  };
  const fail = (): void => {
    send('error', opts.midStreamError);
    if (!gone()) res.end();
  };

  const { usage } = message;
  send('message_start', {
    type: 'message_start',
    message: {
      ...message,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      stop_details: null,
      usage: { ...usage, output_tokens: Math.min(1, usage.output_tokens) },
    },
  });
  send('ping', { type: 'ping' });
  if (opts.midStreamError && message.content.length === 0) return fail();

  for (const [index, block] of message.content.entries()) {
    await pause();
    send('content_block_start', { type: 'content_block_start', index, content_block: startBlock(block) });
    const parts = deltas(block);
    // Fail after about half of the first block, so the client has seen partial output.
    const failAt = opts.midStreamError && index === 0 ? Math.max(1, Math.floor(parts.length / 2)) : -1;
    for (const [i, delta] of parts.entries()) {
      if (i === failAt) return fail();
      await pause();
      send('content_block_delta', { type: 'content_block_delta', index, delta });
    }
    if (failAt >= 0) return fail();
    send('content_block_stop', { type: 'content_block_stop', index });
    if (gone()) return;
  }
  await pause();
  send('message_delta', {
    type: 'message_delta',
    delta: {
      stop_reason: message.stop_reason,
      stop_sequence: message.stop_sequence,
      stop_details: message.stop_details,
      container: message.container,
    },
    usage: {
      input_tokens: usage.input_tokens,
      cache_creation_input_tokens: usage.cache_creation_input_tokens,
      cache_read_input_tokens: usage.cache_read_input_tokens,
      output_tokens: usage.output_tokens,
      output_tokens_details: null,
      server_tool_use: usage.server_tool_use,
    },
  });
  send('message_stop', { type: 'message_stop' });
  if (!gone()) res.end();
}
