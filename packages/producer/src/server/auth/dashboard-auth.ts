import { createHash, createHmac, randomBytes } from 'node:crypto';
import { AgentqError, ENV } from '@agentq/shared';

/** How the dashboard checks who is calling. At least one credential is needed unless `insecure` is set. */
export interface DashboardAuthOptions {
  /** Accepted as `Authorization: Bearer <token>` and on the login page. At least 16 characters. @defaultValue none */
  token?: string;
  /** Basic-auth user name; needs `password`. @defaultValue none */
  user?: string;
  /** Basic-auth password; needs `user`. @defaultValue none */
  password?: string;
  /** Serve without any authentication (local development only). @defaultValue false */
  insecure?: boolean;
  /** Lifetime of a browser login cookie, in ms. @defaultValue 43200000 (12 h) */
  sessionTtlMs?: number;
}

/** The checked credentials plus the key that signs cookies and CSRF tokens. */
export interface ResolvedAuth {
  token: string | undefined;
  basic: { user: string; password: string } | undefined;
  insecure: boolean;
  sessionTtlMs: number;
  /**
   * Derived from the credentials, so that rotating them invalidates every cookie and CSRF token, and so
   * that several dashboard replicas with the same credentials accept each other's cookies.
   */
  signingKey: Buffer;
}

export const MIN_TOKEN_LENGTH = 16;

/** Validates the credentials; refuses to run open unless `insecure` was asked for. */
export function resolveAuth(options: DashboardAuthOptions): ResolvedAuth {
  const { token, user, password } = options;
  if (token !== undefined && token.length < MIN_TOKEN_LENGTH) {
    throw new AgentqError('config_invalid', `${ENV.DASHBOARD_TOKEN} must be at least ${MIN_TOKEN_LENGTH} characters`);
  }
  if ((user === undefined) !== (password === undefined)) {
    throw new AgentqError('config_invalid', `${ENV.DASHBOARD_USER} and ${ENV.DASHBOARD_PASSWORD} must be set together`);
  }
  if (user !== undefined && user.includes(':')) throw new AgentqError('config_invalid', `${ENV.DASHBOARD_USER} may not contain ':'`);
  const basic = user !== undefined && password !== undefined ? { user, password } : undefined;
  const insecure = options.insecure === true && token === undefined && basic === undefined;
  if (!token && !basic && !options.insecure) {
    throw new AgentqError(
      'config_invalid',
      `the dashboard needs ${ENV.DASHBOARD_TOKEN}, or ${ENV.DASHBOARD_USER} and ${ENV.DASHBOARD_PASSWORD}; pass --insecure to serve it without authentication`,
    );
  }
  const material = insecure ? randomBytes(32).toString('hex') : `${token ?? ''}\n${basic?.user ?? ''}\n${basic?.password ?? ''}`;
  const signingKey = createHmac('sha256', createHash('sha256').update('agentq-dashboard-v1').digest()).update(material).digest();
  return { token, basic, insecure, sessionTtlMs: options.sessionTtlMs ?? 12 * 3600 * 1000, signingKey };
}

export function sign(auth: ResolvedAuth, purpose: string, value: string): string {
  return createHmac('sha256', auth.signingKey).update(`${purpose}\n${value}`).digest('base64url');
}
