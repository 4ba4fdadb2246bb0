import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeReply {
  status?: number;
  headers?: Record<string, string>;
  /** A string is sent as is; anything else as JSON. */
  body: unknown;
}

export interface FakeRequest {
  body: { model?: string; max_tokens?: number; messages?: Array<{ role: string; content: unknown }> };
  /** The first user message's text: tests put a case marker in it. */
  task: string;
}

export interface FakeUpstream {
  url: string;
  requests: FakeRequest[];
  close(): Promise<void>;
}

/**
 * A small HTTP server standing in for the Messages API, answering whatever a test scripts: hostile or broken
 * replies the mock model would never send (a 200 with `{}`, HTML, negative usage, headers that lie).
 */
export async function startFakeUpstream(answer: (request: FakeRequest, index: number) => FakeReply): Promise<FakeUpstream> {
  const requests: FakeRequest[] = [];
  const server: Server = createServer((req, res) => {
    void readBody(req).then((raw) => {
      let body: FakeRequest['body'] = {};
      try {
        body = JSON.parse(raw) as FakeRequest['body'];
      } catch {
        // an unparsable request is answered like any other
      }
      const request = { body, task: firstUserText(body) };
      requests.push(request);
      const reply = answer(request, requests.length - 1);
      const text = typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body);
      res.writeHead(reply.status ?? 200, { 'content-type': 'application/json', ...reply.headers });
      res.end(text);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });
}

function firstUserText(body: FakeRequest['body']): string {
  const first = body.messages?.[0];
  if (!first) return '';
  if (typeof first.content === 'string') return first.content;
  if (Array.isArray(first.content)) {
    return (first.content as Array<{ type?: string; text?: string }>).map((b) => (b.type === 'text' ? (b.text ?? '') : '')).join('');
  }
  return '';
}

let ids = 0;

/** A well-formed Messages API response, with any field overridden. */
export function message(content: unknown[], overrides: Record<string, unknown> = {}): Record<string, unknown> {
  ids += 1;
  return {
    id: `msg_fake${ids}`,
    type: 'message',
    role: 'assistant',
    model: 'claude-sonnet-4-5',
    content,
    stop_reason: 'end_turn',
    stop_sequence: null,
    usage: { input_tokens: 10, output_tokens: 5, cache_read_input_tokens: 0, cache_creation_input_tokens: 0 },
    ...overrides,
  };
}

export const text = (value: string) => ({ type: 'text', text: value });
export const toolUse = (id: string, name: string, input: unknown) => ({ type: 'tool_use', id, name, input });
