import { randomUUID } from 'node:crypto';
import { createLogger, type ToolContext } from '@agentq/shared';

/**
 * A {@link ToolContext} for calling a tool's `run` directly, outside a worker, e.g. in unit tests.
 * The idempotency key follows the runtime's `<sessionId>:<step>:<toolUseId>` form so tools that derive
 * file names or ids from it see realistic values.
 */
export function createTestToolContext(overrides: Partial<ToolContext> = {}): ToolContext {
  const sessionId = overrides.sessionId ?? `sess_${randomUUID().slice(0, 8)}`;
  const step = overrides.step ?? 0;
  const toolUseId = overrides.toolUseId ?? `toolu_${randomUUID().replace(/-/g, '').slice(0, 20)}`;
  return {
    sessionId,
    step,
    toolUseId,
    idempotencyKey: `${sessionId}:${step}:${toolUseId}`,
    signal: new AbortController().signal,
    attempt: 1,
    agent: 'demo',
    tenant: undefined,
    metadata: {},
    logger: createLogger({ name: 'test-tool', level: 'silent' }),
    ...overrides,
  };
}
