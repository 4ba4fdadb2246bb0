import { fileURLToPath } from 'node:url';
import { type Redis } from '@agentq/shared';
import { readScriptDir, ScriptRegistry } from '@agentq/shared/internal';

/**
 * The scripts only worker code calls ship in this package's `lua/` folder (listed in package.json#files), so the
 * worker module that calls one owns its KEYS/ARGV order; @agentq/shared's registry holds the scripts shared code
 * calls. Each registry runs only its own files, by their SHA1 (see ScriptRegistry), and no two packages ship a
 * script of the same name (test/script-ownership.test.ts).
 */
const LUA_DIR = fileURLToPath(new URL('../../lua/', import.meta.url));

export type WorkerScriptName =
  | 'acquireGovernor'
  | 'settleGovernor'
  | 'extendQueuePause'
  | 'advanceMemory'
  | 'checkBreaker'
  | 'recordBreaker'
  | 'parkBatchCall'
  | 'claimBatchCalls'
  | 'recordBatch'
  | 'releaseClaim'
  | 'finishBatch';

let registry: ScriptRegistry | undefined;

/** The worker's scripts, read once per process. */
export function workerScripts(): ScriptRegistry {
  registry ??= new ScriptRegistry(readScriptDir(LUA_DIR));
  return registry;
}

/**
 * Runs one of the worker's scripts. Call it from the one function
 * or method that owns the script, which takes named keys and arguments and returns a typed result.
 */
export async function runWorkerScript<T>(redis: Redis, name: WorkerScriptName, keys: string[], args: Array<string | number>): Promise<T> {
  return workerScripts().run<T>(redis, name, keys, args);
}
