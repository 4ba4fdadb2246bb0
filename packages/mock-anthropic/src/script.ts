import { MockApiError } from './api-error.js';
import { STOP_REASONS, type StopReason } from './wire-types.js';

/** The server tools a script can have the model use; the mock runs them as Anthropic would, on its side. */
export const SERVER_TOOLS = ['web_search', 'web_fetch', 'code_execution'] as const;
export type ServerToolName = (typeof SERVER_TOOLS)[number];

export type ScriptBlock =
  | { kind: 'text'; text: string }
  | { kind: 'tool'; name: string; input: Record<string, unknown> }
  | { kind: 'server'; name: ServerToolName; input: Record<string, unknown> };

/** What one turn answers. */
export interface ScriptAnswer {
  blocks: ScriptBlock[];
  /** What the model thinks first, when the request turns thinking on (a default text otherwise). */
  thinking?: string;
  /** Overrides the natural stop reason (tool_use when there are tools, else end_turn). */
  stopReason?: StopReason;
}

/** An error a turn answers its first `times` requests with. */
export interface ScriptError {
  status: number;
  type?: string;
  message?: string;
  times: number;
  retryAfterSec?: number;
  midStream?: boolean;
}

export interface ScriptStep {
  answer: ScriptAnswer;
  error?: ScriptError;
  /** What the turn answers instead when the request names one of these models (a refusal on one model only). */
  byModel?: Record<string, ScriptStep>;
}

export interface Script {
  steps: ScriptStep[];
  loop: boolean;
  /** The conversation's context window: a request with more input tokens stops `model_context_window_exceeded`. */
  contextWindow?: number;
}

// Once an injected error has been answered `times` times and no `then` was given.
const RECOVERED_TEXT = 'OK';

function scriptError(message: string): MockApiError {
  // A broken script is a bug in the test, so it fails loudly and is never retried.
  return new MockApiError(400, `mock-anthropic script: ${message}`, 'invalid_request_error');
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Returns the first balanced `{"script": ...}` object in `text`, or undefined when there is none. */
export function extractScriptJson(text: string): string | undefined {
  const match = /\{\s*"script"\s*:/.exec(text);
  if (!match) return undefined;
  let depth = 0;
  let inString = false;
  let escaped = false;
  for (let i = match.index; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (escaped) escaped = false;
      else if (c === '\\') escaped = true;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{') depth++;
    else if (c === '}' && --depth === 0) return text.slice(match.index, i + 1);
  }
  throw scriptError('unterminated {"script": ...} object');
}

const ENTRY_KEYS = new Set(['text', 'tool', 'input', 'stop_reason', 'error', 'then', 'thinking', 'server']);
const ERROR_KEYS = new Set(['status', 'type', 'message', 'times', 'retryAfterSec', 'midStream']);

function parseBlocks(entry: Record<string, unknown>, where: string): ScriptAnswer {
  for (const key of Object.keys(entry)) {
    if (!ENTRY_KEYS.has(key)) throw scriptError(`${where} has unknown key "${key}"`);
  }
  const blocks: ScriptBlock[] = [];
  // The model uses its server tools before it writes the text that draws on their results.
  if (entry.server !== undefined) blocks.push(...parseServer(entry.server, `${where}.server`));
  if (entry.text !== undefined) {
    if (typeof entry.text !== 'string') throw scriptError(`${where}.text must be a string`);
    blocks.push({ kind: 'text', text: entry.text });
  }
  if (entry.tool !== undefined) {
    if (typeof entry.tool !== 'string' || entry.tool === '') throw scriptError(`${where}.tool must be a tool name`);
    const input = entry.input ?? {};
    if (!isObject(input)) throw scriptError(`${where}.input must be an object`);
    blocks.push({ kind: 'tool', name: entry.tool, input });
  } else if (entry.input !== undefined) {
    throw scriptError(`${where}.input needs a "tool"`);
  }
  const answer: ScriptAnswer = { blocks };
  if (entry.thinking !== undefined) {
    if (typeof entry.thinking !== 'string' || entry.thinking === '') throw scriptError(`${where}.thinking must be a non-empty string`);
    answer.thinking = entry.thinking;
  }
  if (entry.stop_reason !== undefined) {
    if (!STOP_REASONS.includes(entry.stop_reason as StopReason)) {
      throw scriptError(`${where}.stop_reason must be one of ${STOP_REASONS.join(', ')}`);
    }
    answer.stopReason = entry.stop_reason as StopReason;
  }
  return answer;
}

function parseServer(value: unknown, where: string): ScriptBlock[] {
  const list = Array.isArray(value) ? value : [value];
  if (list.length === 0) throw scriptError(`${where} is an empty list`);
  return list.map((use: unknown, i) => {
    const at = Array.isArray(value) ? `${where}[${i}]` : where;
    if (!isObject(use)) throw scriptError(`${at} must be an object`);
    for (const key of Object.keys(use)) if (key !== 'tool' && key !== 'input') throw scriptError(`${at} has unknown key "${key}"`);
    if (!SERVER_TOOLS.includes(use.tool as ServerToolName)) throw scriptError(`${at}.tool must be one of ${SERVER_TOOLS.join(', ')}`);
    const input = use.input ?? {};
    if (!isObject(input)) throw scriptError(`${at}.input must be an object`);
    return { kind: 'server', name: use.tool as ServerToolName, input };
  });
}

function parseAnswer(entry: unknown, where: string): ScriptAnswer {
  if (Array.isArray(entry)) {
    if (entry.length === 0) throw scriptError(`${where} is an empty list`);
    const blocks = entry.flatMap((e: unknown, i) => {
      const at = `${where}[${i}]`;
      if (!isObject(e)) throw scriptError(`${at} must be an object`);
      if (e.error !== undefined || e.then !== undefined || e.stop_reason !== undefined || e.thinking !== undefined || e.byModel !== undefined) {
        throw scriptError(`${at}: a parallel entry holds only "tool"/"input" or "text"`);
      }
      return parseBlocks(e, at).blocks;
    });
    return { blocks };
  }
  if (!isObject(entry)) throw scriptError(`${where} must be an object or a list of objects`);
  if (entry.error !== undefined) throw scriptError(`${where}: "then" cannot hold an error`);
  if (entry.then !== undefined) throw scriptError(`${where}: "then" is only valid beside "error"`);
  const answer = parseBlocks(entry, where);
  if (answer.blocks.length === 0 && !answer.stopReason && !answer.thinking) throw scriptError(`${where} needs "text" or "tool"`);
  return answer;
}

function parseError(value: unknown, where: string): ScriptError {
  if (!isObject(value)) throw scriptError(`${where} must be an object`);
  for (const key of Object.keys(value)) {
    if (!ERROR_KEYS.has(key)) throw scriptError(`${where} has unknown key "${key}"`);
  }
  const { status, type, message, times = 1, retryAfterSec, midStream } = value;
  if (typeof status !== 'number' || !Number.isInteger(status) || status < 400 || status > 599) {
    throw scriptError(`${where}.status must be an HTTP error status (400..599)`);
  }
  if (type !== undefined && typeof type !== 'string') throw scriptError(`${where}.type must be a string`);
  if (message !== undefined && typeof message !== 'string') throw scriptError(`${where}.message must be a string`);
  if (typeof times !== 'number' || !Number.isInteger(times) || times < 0) {
    throw scriptError(`${where}.times must be a non-negative integer`);
  }
  if (retryAfterSec !== undefined && (typeof retryAfterSec !== 'number' || !(retryAfterSec >= 0))) {
    throw scriptError(`${where}.retryAfterSec must be a non-negative number`);
  }
  if (midStream !== undefined && typeof midStream !== 'boolean') throw scriptError(`${where}.midStream must be a boolean`);
  return {
    status,
    times,
    ...(type !== undefined ? { type } : {}),
    ...(message !== undefined ? { message } : {}),
    ...(retryAfterSec !== undefined ? { retryAfterSec } : {}),
    ...(midStream !== undefined ? { midStream } : {}),
  };
}

function parseByModel(value: unknown, where: string): Record<string, ScriptStep> {
  if (!isObject(value) || Object.keys(value).length === 0) throw scriptError(`${where} must map model ids to entries`);
  const out: Record<string, ScriptStep> = {};
  for (const [model, entry] of Object.entries(value)) {
    if (isObject(entry) && entry.byModel !== undefined) throw scriptError(`${where}.${model} cannot hold "byModel"`);
    out[model] = parseStep(entry, `${where}.${model}`);
  }
  return out;
}

function parseStep(entry: unknown, where: string): ScriptStep {
  if (isObject(entry) && entry.byModel !== undefined) {
    const { byModel, ...rest } = entry;
    return { ...parseStep(rest, where), byModel: parseByModel(byModel, `${where}.byModel`) };
  }
  if (!isObject(entry) || entry.error === undefined) return { answer: parseAnswer(entry, where) };
  const error = parseError(entry.error, `${where}.error`);
  const { error: _error, then, ...rest } = entry;
  let answer: ScriptAnswer;
  if (then !== undefined) {
    if (Object.keys(rest).length > 0) throw scriptError(`${where}: give the answer either in "then" or beside "error", not both`);
    answer = parseAnswer(then, `${where}.then`);
  } else if (Object.keys(rest).length > 0) {
    answer = parseAnswer(rest, where);
  } else {
    answer = { blocks: [{ kind: 'text', text: RECOVERED_TEXT }] };
  }
  return { answer, error };
}

/** Parses the script embedded in `text`; undefined when the text carries none. Throws a 400 on a malformed one. */
export function parseScript(text: string): Script | undefined {
  const json = extractScriptJson(text);
  if (json === undefined) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (err) {
    throw scriptError(`invalid JSON: ${(err as Error).message}`);
  }
  if (!isObject(value) || !Array.isArray(value.script)) throw scriptError('"script" must be a list');
  for (const key of Object.keys(value)) {
    if (key !== 'script' && key !== 'loop' && key !== 'contextWindow') throw scriptError(`unknown key "${key}" beside "script"`);
  }
  if (value.loop !== undefined && typeof value.loop !== 'boolean') throw scriptError('"loop" must be a boolean');
  const window = value.contextWindow;
  if (window !== undefined && (typeof window !== 'number' || !Number.isInteger(window) || window < 1))
    throw scriptError('"contextWindow" must be a positive integer');
  return {
    steps: value.script.map((entry: unknown, i) => parseStep(entry, `script[${i}]`)),
    loop: value.loop === true,
    ...(window !== undefined ? { contextWindow: window as number } : {}),
  };
}

/**
 * The step answering turn `k` for `model` (its `byModel` entry when it has one for that model, matched by id or
 * by the id without a date suffix), or undefined past the end of a script that does not loop.
 */
export function stepForTurn(script: Script, k: number, model?: string): ScriptStep | undefined {
  const n = script.steps.length;
  if (n === 0) return undefined;
  const step = script.loop ? script.steps[k % n] : script.steps[k];
  if (!step?.byModel || model === undefined) return step;
  return step.byModel[model] ?? step.byModel[model.replace(/-\d{8}$/, '')] ?? step;
}
