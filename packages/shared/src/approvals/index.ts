export {
  ApprovalStore,
  approvalInput,
  parseApproval,
  MAX_APPROVAL_INPUT_CHARS,
  MAX_DECISION_REASON_CHARS,
  type DecideOptions,
  type DecideResult,
  type ParkResult,
} from './approval-store.js';
export { decideApproval, dropApprovals, type ApprovalDecision } from './decide-approval.js';
export { enqueueResume, type ResumeJobSettings } from './resume-session.js';
