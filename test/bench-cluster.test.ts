import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, test } from 'vitest';

const RUN = fileURLToPath(new URL('../bench/dist/run.js', import.meta.url));

interface LoadResult {
  steps: number;
  completed: number;
  commandsPerNode: Record<string, number>;
  largestNodeShare: number;
  stepsPerRedisCoreS: number | null;
}

// `pnpm bench cluster --small` end to end (its figures are the benchmark's business: no timing asserted here).
describe('pnpm bench cluster --small', () => {
  test('runs every scenario to completion and spreads the 3-shard run over all 3 masters', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'agentq-bench-cluster-'));
    try {
      await promisify(execFile)(process.execPath, [RUN, 'cluster', '--small'], {
        env: { ...process.env, BENCH_RESULTS_DIR: dir },
        timeout: 600_000,
        maxBuffer: 10_000_000,
      });
      const result = JSON.parse(readFileSync(join(dir, 'cluster.json'), 'utf8')) as {
        small: boolean;
        spread: { cluster3Shards: LoadResult; cluster1Shard: LoadResult; standalone: LoadResult };
        scaling: { runs: Array<LoadResult & { processes: number }>; stepsPerRedisCoreS: number; sessionsPerRedisCoreAt5sModel: number };
      };
      const { cluster3Shards, cluster1Shard, standalone } = result.spread;
      const shares = Object.values(cluster3Shards.commandsPerNode).map((n) => n / Object.values(cluster3Shards.commandsPerNode).reduce((a, b) => a + b, 0));
      console.log(
        `[bench cluster --small] 3 shards node shares ${shares.map((s) => s.toFixed(3)).join(', ')}; 1 shard largest ${cluster1Shard.largestNodeShare}; curve ${result.scaling.runs.map((r) => r.processes).join(',')}`,
      );
      expect(result.small).toBe(true);
      for (const run of [cluster3Shards, cluster1Shard, standalone, ...result.scaling.runs]) {
        expect(run.completed).toBe(60);
        expect(run.steps).toBe(180);
      }
      expect(Object.keys(cluster3Shards.commandsPerNode)).toHaveLength(3);
      expect(Object.keys(standalone.commandsPerNode)).toHaveLength(1);
      // Every master serves a real part (a session's keys land by its own tag, so the split is not exact).
      for (const share of shares) expect(share).toBeGreaterThan(0.18);
      expect(result.scaling.runs.map((r) => r.processes)).toEqual([1, 2]);
      expect(result.scaling.sessionsPerRedisCoreAt5sModel).toBe(Math.floor(result.scaling.stepsPerRedisCoreS * 5));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 600_000);
});
