export { ApprovalsApi, type ApproveOptions, type DenyOptions, type ListApprovalsOptions } from './approvals-api.js';
