import { z } from 'zod';
import { Risk } from '../define/risk.js';

export const ApprovalStatus = z.enum(['pending', 'approved', 'denied']);
export type ApprovalStatus = z.infer<typeof ApprovalStatus>;

export const Approval = z.object({
  approvalId: z.string(),
  sessionId: z.string(),
  step: z.number().int(),
  toolUseId: z.string(),
  tool: z.string(),
  input: z.unknown(),
  risk: Risk,
  reason: z.string(),
  tenant: z.string().optional(),
  agent: z.string(),
  status: ApprovalStatus,
  requestedAt: z.number(),
  expiresAt: z.number(),
  decidedAt: z.number().optional(),
  decidedBy: z.string().optional(),
  decisionReason: z.string().optional(),
  /** The tool's JSON Schema for its input, so an approver's edit can be checked before it is recorded. */
  inputSchema: z.record(z.string(), z.unknown()).optional(),
  /** The input the approver approved instead of the model's (validated again by the worker against the tool). */
  editedInput: z.unknown().optional(),
});
export type Approval = z.infer<typeof Approval>;

export function approvalIdFor(sessionId: string, step: number, toolUseId: string): string {
  return `${sessionId}-s${step}-${toolUseId}`;
}
