/**
 * A pessimistic input-token estimate for a request body: its JSON length / 4. The JSON carries quoting and
 * structure the tokenizer does not count, so this runs above the API's count for ordinary English; the
 * reservation made from it is reconciled with the real usage after the call.
 */
export function estimateInputTokens(
  request: { system?: unknown; messages: unknown; tools?: unknown },
  /** Known JSON lengths of some of the messages (a step's history, see parseHistoryLines): they are not serialized again. */
  knownChars?: ReadonlyMap<unknown, number>,
): number {
  const { messages } = request;
  if (!knownChars || !Array.isArray(messages)) {
    return Math.ceil(JSON.stringify([request.system ?? null, messages, request.tools ?? null]).length / 4);
  }
  // The same length as JSON.stringify([system, messages, tools]): brackets and commas, then each part.
  let chars = 4 + JSON.stringify(request.system ?? null).length + JSON.stringify(request.tools ?? null).length;
  chars += 2 + Math.max(0, messages.length - 1);
  for (const message of messages) chars += knownChars.get(message) ?? JSON.stringify(message ?? null).length;
  return Math.ceil(chars / 4);
}
