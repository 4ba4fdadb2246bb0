import { AgentqError } from '@agentq/shared';

/** The typed error a call was refused with; fails the test when the call succeeds or throws something else. */
export async function refusal(promise: Promise<unknown>): Promise<AgentqError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!AgentqError.isInstance(error)) throw new Error(`expected an AgentqError, got ${String(error)}`);
  return error;
}
