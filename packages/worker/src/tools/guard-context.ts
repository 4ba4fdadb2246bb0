import type { Agent, LoopDetector, Stores } from '@agentq/shared';
import type { Queue } from 'bullmq';
import type { StepScope } from '../step-scope.js';
import type { BreakerState } from './breaker-state.js';

/**
 * What a tool guard may see of the step it runs in: the session, its limits, its event emitter and the stores,
 * queue and loop detector it may write to. The step's context satisfies it; a guard never sees the rest of the step (its
 * checkpoint, budgets, model client), so guards do not depend on the step and are tested without one.
 */
export interface GuardContext extends StepScope {
  agent: Pick<Agent, 'name'>;
  deps: {
    stores: Stores;
    queue: Queue;
    /** The fleet-wide loop detector (built once per worker), which the loop guard checks calls with. */
    loopDetector: LoopDetector;
    /** The tools' fleet-wide circuit breakers (built once per worker). */
    breakers: BreakerState;
  };
}
