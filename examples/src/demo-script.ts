/** One tool call the mock model makes: `input` is sent as is, valid or not. */
export interface ScriptToolCall {
  tool: string;
  input: Record<string, unknown>;
}

/** The mock model's answer to one turn: one tool call, several in parallel, or the final text. */
export type ScriptTurn = ScriptToolCall | ScriptToolCall[] | { text: string };

/**
 * The input of a session the mock model answers from a script: natural wording first, then the script
 * as a single JSON object after a blank line, so the mock can find it and a reader can skim past it.
 */
export function scriptedInput(prompt: string, script: readonly ScriptTurn[]): string {
  return `${prompt}\n\n${JSON.stringify({ script })}`;
}

/** Reads the script back out of a session input; undefined when there is none. */
export function parseScript(input: string): ScriptTurn[] | undefined {
  const start = input.indexOf('{"script"');
  if (start < 0) return undefined;
  const parsed = JSON.parse(input.slice(start)) as { script?: unknown };
  return Array.isArray(parsed.script) ? (parsed.script as ScriptTurn[]) : undefined;
}

/** Every tool call of a script, parallel calls flattened, in order. */
export function scriptToolCalls(script: readonly ScriptTurn[]): ScriptToolCall[] {
  return script.flatMap((turn) => (Array.isArray(turn) ? turn : 'tool' in turn ? [turn] : []));
}
