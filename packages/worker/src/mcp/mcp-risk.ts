import type { McpToolOverride, Risk } from '@agentq/shared';

/** The MCP tool annotations agentq reads (all hints; a server is not trusted to be truthful about them). */
export interface McpAnnotations {
  readOnlyHint?: boolean;
  destructiveHint?: boolean;
  idempotentHint?: boolean;
  openWorldHint?: boolean;
}

/**
 * Risk and idempotency of an MCP tool from its annotations, worst case where a hint is absent (the MCP
 * defaults: not read-only, destructive, not idempotent, open world):
 * read-only and closed-world → safe; read-only → low; writes that are not destructive → medium;
 * destructive → high. Read-only or `idempotentHint` tools may be retried. An override wins.
 */
export function mcpToolPolicy(annotations: McpAnnotations | undefined, override: McpToolOverride = {}): { risk: Risk; idempotent: boolean } {
  const readOnly = annotations?.readOnlyHint === true;
  const destructive = !readOnly && annotations?.destructiveHint !== false;
  const openWorld = annotations?.openWorldHint !== false;
  const risk: Risk = readOnly ? (openWorld ? 'low' : 'safe') : destructive ? 'high' : 'medium';
  const idempotent = readOnly || annotations?.idempotentHint === true;
  return { risk: override.risk ?? risk, idempotent: override.idempotent ?? idempotent };
}
