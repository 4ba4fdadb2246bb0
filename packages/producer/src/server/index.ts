export { startDashboard, type Dashboard, type DashboardOptions } from './start-dashboard.js';
export { createDashboardApp, type DashboardAppOptions } from './create-app.js';
export { resolveAuth, type DashboardAuthOptions, type ResolvedAuth } from './auth/dashboard-auth.js';
