import { describe, expect, it } from 'vitest';
import { readWorkerEnv } from './worker-env.js';

describe('tenant settings in the worker environment', () => {
  it('reads tenant=number lists and the default share', () => {
    const env = readWorkerEnv({
      AGENTQ_TENANT_SHARE: '0.5',
      AGENTQ_TENANT_WEIGHTS: 'acme=3, beta=0.5',
      AGENTQ_TENANT_MAX_CONCURRENCY: 'trial=5',
      AGENTQ_TENANT_SHARES: '',
      AGENTQ_SCHEDULING: 'fifo',
    });
    expect(env.AGENTQ_TENANT_SHARE).toBe(0.5);
    expect(env.AGENTQ_TENANT_WEIGHTS).toEqual({ acme: 3, beta: 0.5 });
    expect(env.AGENTQ_TENANT_MAX_CONCURRENCY).toEqual({ trial: 5 });
    expect(env.AGENTQ_TENANT_SHARES).toBeUndefined();
    expect(env.AGENTQ_SCHEDULING).toBe('fifo');
  });

  it('a bad value stops start-up with a message naming the variable', () => {
    expect(() => readWorkerEnv({ AGENTQ_TENANT_SHARE: '1.5' })).toThrow(/AGENTQ_TENANT_SHARE="1.5"/);
    expect(() => readWorkerEnv({ AGENTQ_TENANT_WEIGHTS: 'acme' })).toThrow(/AGENTQ_TENANT_WEIGHTS/);
    expect(() => readWorkerEnv({ AGENTQ_TENANT_MAX_CONCURRENCY: 'acme=2.5' })).toThrow(/AGENTQ_TENANT_MAX_CONCURRENCY/);
  });
});
