/**
 * A pessimistic input-token estimate for a request body: its JSON length / 4. The JSON carries quoting and
 * structure the tokenizer does not count, so this runs above the API's count for ordinary English; the
 * reservation made from it is reconciled with the real usage after the call.
 */
export function estimateInputTokens(request: { system?: unknown; messages: unknown; tools?: unknown }): number {
  return Math.ceil(JSON.stringify([request.system ?? null, request.messages, request.tools ?? null]).length / 4);
}
