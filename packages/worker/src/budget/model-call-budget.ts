import {
  type BudgetCode,
  BudgetExceededError,
  BudgetLedger,
  type CallEstimate,
  costMicroUsd,
  AgentqError,
  DEFAULT_PRICES,
  estimateInputTokens,
  lookupPrice,
  type ModelPrice,
  type SessionError,
  type Stores,
  type TokenCounts,
  utcDay,
} from '@agentq/shared';
import type Anthropic from '@anthropic-ai/sdk';
import { tokenCounts } from '../model/token-counts.js';
import type { StepContext } from '../step/step-context.js';

/** Checkpoint field holding the UTC day the tenant reservation of this step's call was made in. */
const DAY_FIELD = 'budget:day';
const ledgers = new WeakMap<Stores, BudgetLedger>();

export function ledgerOf(stores: Stores): BudgetLedger {
  let ledger = ledgers.get(stores);
  if (!ledger) {
    ledger = new BudgetLedger(stores.redis, stores.keys);
    ledgers.set(stores, ledger);
  }
  return ledger;
}

/** A model call admitted by the session and tenant budgets, with the `max_tokens` they leave it. */
export interface CallBudget {
  maxTokens: number;
  /** The budget that cut `max_tokens` below the request, as the error a turn cut there ends the session with. */
  cutBy?: SessionError & { code: BudgetCode };
  estimatedInputTokens: number;
  /** Replaces the tenant reservation by the call's real usage (once per step, however often it runs). */
  settle(usage: TokenCounts, costMicroUsd: number): Promise<void>;
  /** Gives the tenant reservation back: the call failed and counted nothing. */
  release(): Promise<void>;
}

/** One id per model call of a step: `model`, or the checkpoint field of a second call (the refusal fallback). */
const reservationId = (ctx: StepContext, call = 'model') => `${ctx.session.sessionId}:${ctx.step}:${call}`;

/**
 * Admits the step's model call before it is made: the session's token and cost budgets (`max_tokens` cut to
 * what they leave), then a reservation of estimated input + `max_tokens` against the tenant's daily budget.
 * A call that cannot fit is not made: this throws {@link BudgetExceededError} naming the budget.
 */
export async function admitModelCall(ctx: StepContext, params: Anthropic.MessageCreateParamsNonStreaming, call = 'model'): Promise<CallBudget> {
  const { deps, session } = ctx;
  const ledger = ledgerOf(deps.stores);
  const estimate: CallEstimate = {
    model: params.model,
    price: checkedPrice(ctx, params.model),
    inputTokens: estimateInputTokens({ system: params.system, messages: params.messages, tools: params.tools }),
    maxTokens: params.max_tokens,
  };
  const admitted = await ledger.admitSession(session.sessionId, ctx.limits, estimate);
  if (!admitted.ok) throw new BudgetExceededError(admitted.error);
  const tenant = session.tenant;
  if (!tenant) {
    return { maxTokens: admitted.maxTokens, ...cut(admitted.cutBy), estimatedInputTokens: estimate.inputTokens, settle: async () => {}, release: async () => {} };
  }
  // The day is pinned in the checkpoint so a call that straddles midnight settles where it was reserved.
  const day = await deps.stores.sessions.putCheckpoint(session.sessionId, ctx.step, DAY_FIELD, utcDay());
  const id = reservationId(ctx, call);
  const reserved = await ledger.reserveTenant(tenant, day, id, { ...estimate, maxTokens: admitted.maxTokens });
  if (!reserved.ok) throw new BudgetExceededError(reserved.error);
  return {
    maxTokens: reserved.maxTokens,
    // The tenant's budget cut what the session's left when it names itself; otherwise the session's cut stands.
    ...cut(reserved.cutBy ?? admitted.cutBy),
    estimatedInputTokens: estimate.inputTokens,
    settle: async (usage, cost) => {
      await ledger.settleTenant(tenant, day, id, usage, cost);
    },
    release: () => ledger.releaseTenant(tenant, day, id),
  };
}

const cut = (cutBy: (SessionError & { code: BudgetCode }) | undefined) => (cutBy ? { cutBy } : {});

const warnedUnpriced = new Set<string>();

/**
 * The price a call is admitted at. An unknown model is charged the highest rate in the table (warned once
 * per process and model), or refused when the worker is set to (`AGENTQ_UNKNOWN_MODELS=refuse`).
 */
export function checkedPrice(ctx: StepContext, model: string): ModelPrice {
  const found = lookupPrice(model, pricesOf(ctx));
  if (found.known) return found.price;
  if (ctx.deps.settings.unknownModels === 'refuse') {
    throw new AgentqError('model_unpriced', `model ${model} has no price; add it to AGENTQ_PRICES (or step.prices) or set AGENTQ_UNKNOWN_MODELS=highest`);
  }
  if (!warnedUnpriced.has(model)) {
    warnedUnpriced.add(model);
    ctx.logger.warn({ model, price: found.price }, 'model has no price: charging the highest known rate; add it to AGENTQ_PRICES');
  }
  return found.price;
}

/** The price table of this worker: the built-in one with `settings.prices` laid over it. */
export function pricesOf(ctx: StepContext): Record<string, ModelPrice> {
  const custom = ctx.deps.settings.prices;
  return custom ? { ...DEFAULT_PRICES, ...custom } : DEFAULT_PRICES;
}

/**
 * For a response checkpointed by an earlier attempt of the step: settles its tenant reservation (a no-op when
 * that attempt already did) and returns the response.
 */
export async function settleCheckpointedCall<M extends { model?: string; usage: Anthropic.Usage }>(
  ctx: StepContext,
  checkpoint: Record<string, string>,
  message: M,
  /** The checkpointed call's price relative to a direct call (batch-lane calls bill at half). @defaultValue 1 */
  priceFactor = 1,
  call = 'model',
): Promise<M> {
  const tenant = ctx.session.tenant;
  if (!tenant) return message;
  const usage: TokenCounts = tokenCounts(message.usage);
  const cost = Math.ceil(costMicroUsd(message.model ?? ctx.agent.model, usage, pricesOf(ctx)) * priceFactor);
  const day = checkpoint[DAY_FIELD] ?? utcDay();
  await ledgerOf(ctx.deps.stores).settleTenant(tenant, day, reservationId(ctx, call), usage, cost);
  return message;
}

/**
 * Gives back the tenant reservation of a call an earlier job of the step admitted and that ended without
 * usage (a batch-lane call whose result was an error); a no-op without a tenant or a reservation.
 */
export async function releaseAdmittedCall(ctx: StepContext, checkpoint: Record<string, string>): Promise<void> {
  const tenant = ctx.session.tenant;
  const day = checkpoint[DAY_FIELD];
  if (!tenant || !day) return;
  await ledgerOf(ctx.deps.stores).releaseTenant(tenant, day, reservationId(ctx));
}
