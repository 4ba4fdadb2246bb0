import { fileURLToPath } from 'node:url';
import { type Redis } from '@agentq/shared';
import { readScriptDir, ScriptRegistry } from '@agentq/shared/internal';

/**
 * The scripts only worker code calls ship in this package's `lua/` folder (listed in package.json#files), so the
 * worker module that calls one owns its KEYS/ARGV order; @agentq/shared's registry holds the scripts shared code
 * calls. Each registry registers only its own files, under `aq_<name>_<content hash>`, and no two packages ship a
 * script of the same name (test/script-ownership.test.ts), so the two never define the same command.
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
 * Runs one of the worker's scripts (registered on the connection at first use). Call it from the one function
 * or method that owns the script, which takes named keys and arguments and returns a typed result.
 */
export async function runWorkerScript<T>(redis: Redis, name: WorkerScriptName, keys: string[], args: Array<string | number>): Promise<T> {
  return workerScripts().run<T>(redis, name, keys, args);
}

/**
 * Registers every worker script on a connection. The worker calls it when it opens its connection: on an
 * auto-pipelined connection, a pipeline opened before a script was defined lacks that script, so a script
 * defined lazily by its first call, in the same tick as other commands, would not run.
 */
export function defineWorkerScripts(redis: Redis): Redis {
  return workerScripts().define(redis);
}
