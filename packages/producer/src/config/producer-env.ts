import { CommonEnv, ENV, envBool, envInt, envString, parseEnv } from '@agentq/shared';
import type { z } from 'zod';

/** Environment of the CLI and the dashboard server, validated once at start-up. */
export const ProducerEnv = CommonEnv.extend({
  [ENV.DASHBOARD_TOKEN]: envString(),
  [ENV.DASHBOARD_USER]: envString(),
  [ENV.DASHBOARD_PASSWORD]: envString(),
  [ENV.STEP_ATTEMPTS]: envInt(1),
  [ENV.STEP_BACKOFF_MS]: envInt(0),
  /** Accept sessions of agents no worker has published (fleets that start producers first). */
  [ENV.ALLOW_UNREGISTERED]: envBool(),
});
export type ProducerEnv = z.infer<typeof ProducerEnv>;

export function readProducerEnv(env: NodeJS.ProcessEnv = process.env): ProducerEnv {
  return parseEnv(ProducerEnv, env);
}
