import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Redis } from 'ioredis';

/**
 * The Lua scripts ship as files in the package's `lua/` folder (listed in package.json#files), named
 * `verbNoun-<numKeys>.lua`; a new file there is picked up with no edit elsewhere. Each file's header lists
 * its KEYS, ARGV and return value. A script lives in the package whose code calls it: these are the ones
 * shared code calls; the worker registers its own with a {@link ScriptRegistry} of its own.
 */
const LUA_DIR = fileURLToPath(new URL('../../lua/', import.meta.url));

export interface ScriptFile {
  name: string;
  numberOfKeys: number;
  lua: string;
}

/** Reads every `verbNoun-<numKeys>.lua` of a folder. */
export function readScriptDir(dir: string): ScriptFile[] {
  return readdirSync(dir)
    .filter((file) => file.endsWith('.lua'))
    .sort()
    .map((file) => {
      const match = /^([A-Za-z]+)-(\d+)\.lua$/.exec(file);
      if (!match) throw new Error(`Lua script file "${file}" is not named verbNoun-<numKeys>.lua`);
      return { name: match[1] as string, numberOfKeys: Number(match[2]), lua: readFileSync(dir + file, 'utf8') };
    });
}

type Commands = Record<string, ((...a: Array<string | number>) => unknown) | undefined>;

/**
 * The scripts of one copy of the package, each registered on a connection under a versioned command name
 * (`aq_<name>_<content hash>`): two copies of @agentq/shared with different scripts on one connection each
 * run their own, and a copy never mistakes the other's registration for its own.
 */
export class ScriptRegistry {
  private readonly commands = new Map<string, { command: string; numberOfKeys: number; lua: string }>();
  private readonly defined = new WeakSet<object>();

  constructor(files: ScriptFile[]) {
    for (const file of files) {
      const version = createHash('sha1').update(file.lua).digest('hex').slice(0, 12);
      this.commands.set(file.name, { command: `aq_${file.name}_${version}`, numberOfKeys: file.numberOfKeys, lua: file.lua });
    }
  }

  /** The script names, in file order. */
  names(): string[] {
    return [...this.commands.keys()];
  }

  /** The command a script is registered under on a connection. */
  commandOf(name: string): string {
    const entry = this.commands.get(name);
    if (!entry) throw new Error(`no Lua script named "${name}"`);
    return entry.command;
  }

  /** Registers every script on a connection (ioredis sends EVALSHA and falls back to EVAL by itself). */
  define(redis: Redis): Redis {
    if (this.defined.has(redis)) return redis;
    const commands = redis as unknown as Commands;
    for (const entry of this.commands.values()) {
      if (typeof commands[entry.command] !== 'function') redis.defineCommand(entry.command, { numberOfKeys: entry.numberOfKeys, lua: entry.lua });
    }
    this.defined.add(redis);
    return redis;
  }

  /** Runs a script by name. The key count comes from the file name, so callers pass keys and args apart. */
  run<T>(redis: Redis, name: string, keys: string[], args: Array<string | number>): Promise<T> {
    this.define(redis);
    const command = (redis as unknown as Commands)[this.commandOf(name)] as (...a: Array<string | number>) => Promise<T>;
    return command.call(redis, ...keys, ...args);
  }

  /** Same as {@link run}, queued on a pipeline or multi of a connection the scripts are defined on. */
  pipe(pipeline: ReturnType<Redis['pipeline']>, name: string, keys: string[], args: Array<string | number>): void {
    const command = (pipeline as unknown as Commands)[this.commandOf(name)];
    if (!command) throw new Error(`Lua script "${name}" is not defined on this pipeline's connection (call defineScripts first)`);
    command.call(pipeline, ...keys, ...args);
  }
}

let registry: ScriptRegistry | undefined;

/** This package's scripts, read once per process. */
export function scriptRegistry(): ScriptRegistry {
  registry ??= new ScriptRegistry(readScriptDir(LUA_DIR));
  return registry;
}

/** Registers every script of this package on a connection. */
export function defineScripts(redis: Redis): Redis {
  return scriptRegistry().define(redis);
}

/** The scripts of this package's lua/ folder; @agentq/worker registers the ones only it calls. */
export type ScriptName =
  | 'createSession'
  | 'commitStep'
  | 'finishSession'
  | 'transitionStatus'
  | 'requestCancel'
  | 'putIfAbsent'
  | 'saveModelTurn'
  | 'putCheckpointWithEvents'
  | 'appendSessionEvent'
  | 'publishEvents'
  | 'requestApproval'
  | 'decideApproval'
  | 'parkSession'
  | 'awaitInput'
  | 'sendMessage'
  | 'checkLoop'
  | 'recordLoopResult'
  | 'admitCall'
  | 'reserveTenant'
  | 'settleTenant'
  | 'scheduleSteps'
  | 'startTenantStep';

/** Runs a script by name. The key count comes from the file name, so callers pass keys and args apart. */
export async function runScript<T = unknown>(redis: Redis, name: ScriptName, keys: string[], args: Array<string | number>): Promise<T> {
  return scriptRegistry().run<T>(redis, name, keys, args);
}

/** Same as {@link runScript}, queued on a pipeline or multi. */
export function pipeScript(pipeline: ReturnType<Redis['pipeline']>, name: ScriptName, keys: string[], args: Array<string | number>): void {
  scriptRegistry().pipe(pipeline, name, keys, args);
}
