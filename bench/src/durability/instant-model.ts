/**
 * A `fetch` that answers the Messages API in-process at once, so a benchmark measures the queue and Redis
 * work of a step, not a model. Turn k of a conversation (k = assistant messages so far) calls the no-op
 * tool until `steps - 1`, then ends the turn. The real SDK parses the answer, so headers and shapes are
 * the real API's.
 *
 * The request is read the way the API would not have the worker pay for: a scan for its assistant turns and
 * its model, not a parse. Parsing the whole conversation here cost the worker process more at every step of a
 * long session (the chains' 50-step CPU), work a worker talking to the real API never does.
 */
export function instantModelFetch(steps: number, toolName = 'noop'): typeof fetch {
  let seq = 0;
  return (async (_url: string | URL | Request, init?: RequestInit) => {
    const body = String(init?.body ?? '{}');
    const turn = occurrences(body, '"role":"assistant"');
    const model = /"model":"([^"]+)"/.exec(body)?.[1];
    seq += 1;
    const content =
      turn < steps - 1
        ? [{ type: 'tool_use', id: `toolu_01bench${turn.toString(36).padStart(4, '0')}`, name: toolName, input: { n: turn } }]
        : [{ type: 'text', text: 'done' }];
    const message = {
      id: `msg_01bench${seq}`,
      type: 'message',
      role: 'assistant',
      model: model ?? 'claude-sonnet-4-6',
      content,
      stop_reason: turn < steps - 1 ? 'tool_use' : 'end_turn',
      stop_sequence: null,
      usage: { input_tokens: 100 + turn * 20, output_tokens: 10, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
    };
    return new Response(JSON.stringify(message), {
      status: 200,
      headers: { 'content-type': 'application/json', 'request-id': `req_01bench${seq}` },
    });
  }) as typeof fetch;
}

/** How many times `needle` occurs in `text`. */
function occurrences(text: string, needle: string): number {
  let count = 0;
  for (let at = text.indexOf(needle); at !== -1; at = text.indexOf(needle, at + needle.length)) count++;
  return count;
}
