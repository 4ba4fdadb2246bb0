import { estimateInputTokens } from '@agentq/shared';
import { parseHistoryLines } from '@agentq/shared/internal';

/**
 * CPU a step spends on its history outside the model call, for a session of `entries` history entries like
 * the benchmark's (a tool call and its result per step): parsing the loaded lines and estimating the
 * request's tokens, against doing the same by serializing the request again (what every step did before
 * the load kept each message's length). Microseconds per step, best of 5 rounds after a warm-up.
 */
export function historyCost(entries = 100, rounds = 5, iterations = 5000): { entries: number; parseAndEstimateUs: number; parseAndSerializeUs: number } {
  const lines: string[] = [];
  for (let i = 0; i < entries; i++) {
    const message =
      i % 2 === 0
        ? { role: 'user', content: [{ type: 'tool_result', tool_use_id: `toolu_${i}`, content: `found q${i}` }] }
        : { role: 'assistant', content: [{ type: 'tool_use', id: `toolu_${i}`, name: 'noop', input: { n: i } }] };
    lines.push(JSON.stringify({ step: i >> 1, message }));
  }
  const system = [{ type: 'text', text: 'You are a benchmark agent.', cache_control: { type: 'ephemeral' } }];
  const tools = [{ name: 'noop', description: 'Does nothing', input_schema: { type: 'object', properties: { n: { type: 'number' } } } }];
  const known = () => {
    const { entries: parsed, messageChars } = parseHistoryLines(lines);
    return estimateInputTokens({ system, tools, messages: parsed.map((e) => e.message) }, messageChars);
  };
  const serialized = () => estimateInputTokens({ system, tools, messages: lines.map((line) => (JSON.parse(line) as { message: unknown }).message) });
  const best = (run: () => number) => {
    let fastest = Number.POSITIVE_INFINITY;
    for (let round = 0; round < rounds; round++) {
      const started = process.hrtime.bigint();
      for (let i = 0; i < iterations; i++) run();
      fastest = Math.min(fastest, Number(process.hrtime.bigint() - started) / 1000 / iterations);
    }
    return Math.round(fastest * 10) / 10;
  };
  for (let i = 0; i < iterations; i++) {
    known();
    serialized();
  }
  return { entries, parseAndEstimateUs: best(known), parseAndSerializeUs: best(serialized) };
}
