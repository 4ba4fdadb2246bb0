export { MAX_TENANT_WEIGHT, TenantControls, type TenantSettings } from './tenant-controls.js';
export { DEFAULT_TENANT, MAX_BULLMQ_PRIORITY, RUNNING_LEASE_MS, type SchedulingMode, stepPriority, TenantScheduler, type TenantStepStart, tenantOf } from './tenant-scheduler.js';
