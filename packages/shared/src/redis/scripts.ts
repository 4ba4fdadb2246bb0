import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Redis } from 'ioredis';

/** The Lua scripts ship as files in the package's `lua/` folder, named `verbNoun-<numKeys>.lua`. */
const LUA_DIR = fileURLToPath(new URL('../../lua/', import.meta.url));

interface ScriptFile {
  name: string;
  numberOfKeys: number;
  lua: string;
}

let cache: ScriptFile[] | undefined;

function loadScriptFiles(): ScriptFile[] {
  cache ??= readdirSync(LUA_DIR)
    .filter((file) => file.endsWith('.lua'))
    .map((file) => {
      const match = /^([A-Za-z]+)-(\d+)\.lua$/.exec(file);
      if (!match) throw new Error(`Lua script file "${file}" is not named verbNoun-<numKeys>.lua`);
      return { name: match[1] as string, numberOfKeys: Number(match[2]), lua: readFileSync(LUA_DIR + file, 'utf8') };
    });
  return cache;
}

const DEFINED = Symbol.for('agentq.scripts-defined');

/** Registers every script on a connection (ioredis sends EVALSHA and falls back to EVAL by itself). */
export function defineScripts(redis: Redis): Redis {
  const tagged = redis as Redis & { [DEFINED]?: boolean };
  if (tagged[DEFINED]) return redis;
  for (const script of loadScriptFiles()) {
    redis.defineCommand(`aq_${script.name}`, { numberOfKeys: script.numberOfKeys, lua: script.lua });
  }
  tagged[DEFINED] = true;
  return redis;
}

export type ScriptName =
  | 'createSession'
  | 'commitStep'
  | 'finishSession'
  | 'transitionStatus'
  | 'putIfAbsent'
  | 'appendSessionEvent'
  | 'saveModelTurn'
  | 'putCheckpointWithEvents'
  | 'publishEvents'
  | 'requestCancel'
  | 'advanceMemory'
  | 'acquireGovernor'
  | 'settleGovernor'
  | 'extendQueuePause'
  | 'requestApproval'
  | 'decideApproval'
  | 'parkSession'
  | 'checkBreaker'
  | 'recordBreaker'
  | 'checkLoop'
  | 'recordLoopResult'
  | 'admitCall'
  | 'reserveTenant'
  | 'settleTenant'
  | 'parkBatchCall'
  | 'claimBatchCalls'
  | 'recordBatch'
  | 'releaseClaim'
  | 'finishBatch'
  | (string & {});

/** Runs a script by name. The key count comes from the file name, so callers pass keys and args apart. */
export async function runScript<T = unknown>(
  redis: Redis,
  name: ScriptName,
  keys: string[],
  args: Array<string | number>,
): Promise<T> {
  defineScripts(redis);
  const command = (redis as unknown as Record<string, (...a: Array<string | number>) => Promise<T>>)[`aq_${name}`];
  if (!command) throw new Error(`no Lua script named "${name}" in ${LUA_DIR}`);
  return command.call(redis, ...keys, ...args);
}

/** Same as {@link runScript}, queued on a pipeline or multi. */
export function pipeScript(
  pipeline: ReturnType<Redis['pipeline']>,
  name: ScriptName,
  keys: string[],
  args: Array<string | number>,
): void {
  const command = (pipeline as unknown as Record<string, (...a: Array<string | number>) => unknown>)[`aq_${name}`];
  if (!command) throw new Error(`no Lua script named "${name}" (call defineScripts on the connection first)`);
  command.call(pipeline, ...keys, ...args);
}
