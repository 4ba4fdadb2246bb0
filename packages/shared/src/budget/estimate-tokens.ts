import { jsonChars } from '../schemas/json-chars.js';

/**
 * A pessimistic input-token estimate for a request body: its JSON length / 4. The JSON carries quoting and
 * structure the tokenizer does not count, so this runs above the API's count for ordinary English; the
 * reservation made from it is reconciled with the real usage after the call.
 */
export function estimateInputTokens(request: { system?: unknown; messages: unknown; tools?: unknown }): number {
  // The length of JSON.stringify([system, messages, tools]), taking each message's from the history line it
  // was read from when known: a session's history is not serialized again at every step for an estimate.
  let chars = 4 + jsonChars(request.system ?? null) + jsonChars(request.tools ?? null);
  const messages = request.messages;
  if (Array.isArray(messages)) {
    chars += 2 + Math.max(0, messages.length - 1);
    for (const message of messages) chars += jsonChars(message ?? null);
  } else {
    chars += jsonChars(messages ?? null);
  }
  return Math.ceil(chars / 4);
}
