import type { Approval } from '@agentq/shared';

export interface Decision {
  approve: boolean;
  reason: string;
}

const PAYMENT_LIMIT = 1000;

/**
 * The demo's operator: approves routine actions, denies what a careful human would hold back. Every
 * approval is decided, so no session waits for its timeout.
 */
export function decide(approval: Approval): Decision {
  const input = (approval.input ?? {}) as Record<string, unknown>;
  switch (approval.tool) {
    case 'send_email': {
      const to = String(input.to ?? '');
      return to.endsWith('@example.com')
        ? { approve: true, reason: 'internal recipient' }
        : { approve: false, reason: `external recipient ${to} needs a signed-off template` };
    }
    case 'process_payment': {
      const amount = Number(input.amount ?? Number.POSITIVE_INFINITY);
      return amount <= PAYMENT_LIMIT
        ? { approve: true, reason: `within the ${PAYMENT_LIMIT} limit` }
        : { approve: false, reason: `amount ${amount} is over the operator limit of ${PAYMENT_LIMIT}` };
    }
    case 'delete_record':
      return { approve: false, reason: 'customer records are kept for audit; archive instead' };
    default:
      return { approve: true, reason: 'reviewed' };
  }
}
