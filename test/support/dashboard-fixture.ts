import { type Agent, defineAgent, defineTool } from '@agentq/shared';
import { z } from 'zod';
import { type Harness, scripted } from './harness.js';

/** An agent with a safe lookup and a high-risk refund: a refund parks the session for approval (default maxAutoRisk is low). */
export function refundAgent(refunds: string[] = []): Agent {
  const lookup = defineTool({
    name: 'lookup_order',
    description: 'Look up an order',
    input: z.object({ orderId: z.string() }),
    risk: 'safe',
    run: ({ orderId }) => ({ orderId, total: 42.5, currency: 'EUR', status: 'delivered' }),
  });
  const refund = defineTool({
    name: 'refund_payment',
    description: 'Refund an order',
    input: z.object({ orderId: z.string(), amount: z.number() }),
    risk: 'high',
    run: ({ orderId, amount }) => {
      refunds.push(orderId);
      return { refunded: amount, orderId };
    },
  });
  return defineAgent({ name: 'support', system: 'You are a support agent.', tools: [lookup, refund] });
}

/** A session that looks an order up, then asks to refund it (and parks), then answers. */
export function refundTask(orderId: string): string {
  return scripted(`Customer asks for a refund of order ${orderId}.`, [
    { tool: 'lookup_order', input: { orderId } },
    { tool: 'refund_payment', input: { orderId, amount: 42.5 } },
    { text: `Order ${orderId} was handled.` },
  ]);
}

/** A short session with no gated call. */
export function lookupTask(orderId: string): string {
  return scripted(`Where is order ${orderId}?`, [{ tool: 'lookup_order', input: { orderId } }, { text: `Order ${orderId} was delivered.` }]);
}

/** Starts a refund session and waits until it is parked; returns its id and its one pending approval id. */
export async function parkedSession(h: Harness, orderId: string, tenant?: string): Promise<{ sessionId: string; approvalId: string }> {
  const { sessionId } = await h.producer.start({ agent: 'support', input: refundTask(orderId), ...(tenant ? { tenant } : {}) });
  const result = await h.producer.wait(sessionId, { timeoutMs: 20_000, untilParked: true });
  if (result.status !== 'awaiting_approval') throw new Error(`session ${sessionId} is ${result.status}, not parked`);
  const [approval] = await h.producer.approvals.list({ sessionId });
  if (!approval) throw new Error(`session ${sessionId} has no pending approval`);
  return { sessionId, approvalId: approval.approvalId };
}
