import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, test } from './support/fixtures.js';

const BENCH = fileURLToPath(new URL('../bench/dist/run.js', import.meta.url));

interface Chain {
  stepsPerSec: number;
  workerCpuMsPerStep: number;
  redisCommandsPerStep: number;
  clientCommandsPerStep: number;
  bytesIntoRedisPerStep: number;
}

// Proves `pnpm bench durability` runs end to end at a tiny size; its numbers are not checked (no timing here).
describe('the durability benchmark', () => {
  test('runs in --small mode and reports every chain, shape and check', { timeout: 300_000 }, async () => {
    const { stdout } = await promisify(execFile)(process.execPath, [BENCH, 'durability', '--small'], {
      maxBuffer: 16 * 1024 * 1024,
      env: { ...process.env, REDIS_URL: '' },
    });
    const result = JSON.parse(stdout) as Record<string, unknown> & {
      checks: Record<string, { value: number; pass: boolean }>;
      unloaded: Record<string, { roundTripsPerStep: number; stepToStepMs: { samples: number } }>;
    };
    for (const shape of ['20x5', '4x20']) {
      const chains = result[shape] as Record<'bare' | 'naive' | 'agentq', Chain>;
      for (const mode of ['bare', 'naive', 'agentq'] as const) {
        const chain = chains[mode];
        expect(chain.stepsPerSec).toBeGreaterThan(0);
        expect(chain.workerCpuMsPerStep).toBeGreaterThan(0);
        expect(chain.redisCommandsPerStep).toBeGreaterThan(0);
        expect(chain.clientCommandsPerStep).toBeGreaterThan(0);
        expect(chain.bytesIntoRedisPerStep).toBeGreaterThan(0);
      }
    }
    for (const mode of ['bare', 'naive', 'agentq']) {
      expect(result.unloaded[mode]?.roundTripsPerStep).toBeGreaterThan(0);
      expect(result.unloaded[mode]?.stepToStepMs.samples).toBeGreaterThan(0);
    }
    expect(Object.keys(result.checks).sort()).toEqual([
      'naiveRatio5',
      'naiveRatio50',
      'redisCommandsPerStep',
      'redisCpuMsPerStep',
      'roundTripsPerStep',
      'unloadedP50Ms',
      'workerCpu50Of5',
    ]);
  });
});
