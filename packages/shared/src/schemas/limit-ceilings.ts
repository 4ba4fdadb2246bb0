import { riskRank } from '../define/risk.js';
import { type Limits, type LimitsInput, resolveLimits } from './limits.js';

/**
 * Which way each limit gets stricter. `lower`: a smaller value is stricter (budgets, timeouts, the loop
 * threshold, the memory window); `higher`: a larger value is stricter (the loop window: more calls
 * remembered finds more repeats); `fixed`: a session may only repeat the ceiling's value; `free`: no
 * safety or cost meaning, a session may set it.
 */
type Direction = 'lower' | 'higher' | 'fixed' | 'free';

const TOP: Record<Exclude<keyof Limits, 'loop' | 'memory'>, Direction> = {
  maxSteps: 'lower',
  maxInputTokens: 'lower',
  maxOutputTokens: 'lower',
  maxTokens: 'lower',
  maxCostUsd: 'lower',
  maxAutoRisk: 'lower',
  deadlineMs: 'lower',
  maxTokensPerCall: 'lower',
  approvalTimeoutMs: 'lower',
};
const LOOP: Record<keyof Limits['loop'], Direction> = { window: 'higher', threshold: 'lower', strikes: 'lower' };
const MEMORY: Record<keyof Limits['memory'], Direction> = {
  windowTokens: 'lower',
  summaryModel: 'fixed',
  summaryMaxTokens: 'lower',
  maxToolResultChars: 'lower',
  foldTo: 'free',
  countTokens: 'free',
};

/** One limit a session asked for beyond its agent's ceiling. */
export interface LimitViolation {
  /** Dotted path, e.g. `maxAutoRisk` or `loop.threshold`. */
  field: string;
  requested: unknown;
  ceiling: unknown;
}

/** `a` is looser than `b` in `direction`; an absent value is unlimited (the loosest). */
function looser(direction: Direction, a: unknown, b: unknown): boolean {
  if (direction === 'free') return false;
  if (direction === 'fixed') return a !== undefined && a !== b;
  if (a === undefined) return b !== undefined && direction === 'lower';
  if (b === undefined) return direction === 'higher';
  const [x, y] = typeof a === 'string' ? [riskRank(a as never), riskRank(b as never)] : [a as number, b as number];
  return direction === 'lower' ? x > y : x < y;
}

function eachField(visit: (field: string, direction: Direction, pick: (l: Partial<Limits> | LimitsInput) => unknown) => void): void {
  for (const [k, d] of Object.entries(TOP)) visit(k, d, (l) => (l as Record<string, unknown>)[k]);
  for (const [k, d] of Object.entries(LOOP)) visit(`loop.${k}`, d, (l) => (l.loop as Record<string, unknown> | undefined)?.[k]);
  for (const [k, d] of Object.entries(MEMORY)) visit(`memory.${k}`, d, (l) => (l.memory as Record<string, unknown> | undefined)?.[k]);
}

/**
 * The limits a session asked for that go past the ceiling, checked only where the session set a value
 * (an unset field inherits the agent's own limits, which are within the ceiling).
 */
export function limitViolations(requested: LimitsInput | undefined, ceiling: Limits): LimitViolation[] {
  if (!requested) return [];
  const out: LimitViolation[] = [];
  eachField((field, direction, pick) => {
    const value = pick(requested);
    if (value === undefined) return;
    if (looser(direction, value, pick(ceiling))) out.push({ field, requested: value, ceiling: pick(ceiling) });
  });
  return out;
}

/** `limits` with every field past the ceiling replaced by the ceiling's value, and the fields it replaced. */
export function clampLimits(limits: Limits, ceiling: Limits): { limits: Limits; clamped: LimitViolation[] } {
  const clamped: LimitViolation[] = [];
  const out = { ...limits, loop: { ...limits.loop }, memory: { ...limits.memory } } as Record<string, unknown> & Limits;
  eachField((field, direction, pick) => {
    const value = pick(limits);
    const top = pick(ceiling);
    if (!looser(direction, value, top)) return;
    clamped.push({ field, requested: value ?? null, ceiling: top });
    const [group, key] = field.includes('.') ? (field.split('.') as [string, string]) : [undefined, field];
    const target = (group ? out[group] : out) as Record<string, unknown>;
    if (top === undefined) delete target[key];
    else target[key] = top;
  });
  return { limits: out, clamped };
}

/**
 * What the worker runs a session with: the agent's limits (within its ceiling: a budget only `maxLimits`
 * sets applies), the session's on top, clamped to the ceiling. `clamped` lists only what the session asked
 * past the ceiling.
 */
export function effectiveLimits(
  agent: { limits: LimitsInput; ceiling: Limits },
  session: LimitsInput | undefined,
): { limits: Limits; clamped: LimitViolation[] } {
  // Every step asks this again for limits that rarely differ, and each answer takes three schema parses: the
  // answers are kept per agent, by the session's limits as JSON. They are frozen, as they are shared.
  const agentLimits = agent.limits ?? NONE;
  let perAgent = resolved.get(agentLimits)?.get(agent.ceiling);
  if (!perAgent) {
    perAgent = { base: clampLimits(resolveLimits(agentLimits), agent.ceiling).limits, bySession: new Map() };
    if (!resolved.has(agentLimits)) resolved.set(agentLimits, new WeakMap());
    resolved.get(agentLimits)?.set(agent.ceiling, perAgent);
  }
  const key = session === undefined ? '' : JSON.stringify(session);
  const known = perAgent.bySession.get(key);
  if (known) return known;
  const answer = deepFreeze(clampLimits(resolveLimits(perAgent.base, session), agent.ceiling));
  if (perAgent.bySession.size >= MAX_REMEMBERED) perAgent.bySession.clear();
  perAgent.bySession.set(key, answer);
  return answer;
}

const NONE: LimitsInput = {};

/** Session limits remembered per agent: sessions of one agent mostly share a handful. */
const MAX_REMEMBERED = 256;

const resolved = new WeakMap<LimitsInput, WeakMap<Limits, { base: Limits; bySession: Map<string, { limits: Limits; clamped: LimitViolation[] }> }>>();

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
