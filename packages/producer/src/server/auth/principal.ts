import type { Response } from 'express';

/**
 * Who made a request. `bearer` credentials are never sent by a browser on its own, so they need no CSRF
 * token; `cookie`, `basic` and `anonymous` (insecure mode) are ambient and do.
 */
export interface Principal {
  kind: 'bearer' | 'basic' | 'cookie' | 'anonymous';
  /** Recorded as `by` on approval decisions unless the request names someone. */
  name: string;
  /** What CSRF tokens are bound to: the cookie session's id, or a fixed id for basic and anonymous. */
  csrfSubject: string;
}

export function principalOf(res: Response): Principal {
  const principal = res.locals.principal as Principal | undefined;
  if (!principal) throw new Error('principalOf called before authentication');
  return principal;
}
