import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Redis } from 'ioredis';

/**
 * The Lua scripts ship as files in the package's `lua/` folder (listed in package.json#files), named
 * `verbNoun-<numKeys>.lua`; a new file there is picked up with no edit elsewhere. Each file's header lists
 * its KEYS, ARGV and return value. A script lives in the package whose code calls it: these are the ones
 * shared code calls; the worker registers its own with a {@link ScriptRegistry} of its own. A line
 * `--#include <name>` stands for `lua/include/<name>.lua`: Redis runs one script per call, so work two scripts
 * share (a check that runs alone and inside a checkpoint) is written once and copied into both.
 */
const LUA_DIR = fileURLToPath(new URL('../../lua/', import.meta.url));

export interface ScriptFile {
  name: string;
  numberOfKeys: number;
  lua: string;
}

/** Reads every `verbNoun-<numKeys>.lua` of a folder, its `--#include <name>` lines replaced (see above). */
export function readScriptDir(dir: string): ScriptFile[] {
  return readdirSync(dir)
    .filter((file) => file.endsWith('.lua'))
    .sort()
    .map((file) => {
      const match = /^([A-Za-z]+)-(\d+)\.lua$/.exec(file);
      if (!match) throw new Error(`Lua script file "${file}" is not named verbNoun-<numKeys>.lua`);
      return { name: match[1] as string, numberOfKeys: Number(match[2]), lua: expandIncludes(dir, file, readFileSync(dir + file, 'utf8')) };
    });
}

/** The script's source with each `--#include <name>` line replaced by `include/<name>.lua` of its folder. */
export function expandIncludes(dir: string, file: string, lua: string): string {
  return lua.replace(/^--#include (\S+)[ \t]*$/gm, (_line, name: string) => {
    const path = `${dir}include/${name}.lua`;
    if (!/^[A-Za-z]+$/.test(name) || !existsSync(path))
      throw new Error(`Lua script file "${file}" includes "${name}", which is not a file include/${name}.lua of its folder`);
    return readFileSync(path, 'utf8').trimEnd();
  });
}

/** Redis answered EVALSHA with NOSCRIPT: its script cache does not hold the script (a restart, SCRIPT FLUSH, a new node). */
export function isNoScript(error: unknown): boolean {
  return error instanceof Error && error.message.startsWith('NOSCRIPT');
}

/**
 * The scripts of one copy of the package, each run by its content's SHA1 (EVALSHA, then EVAL when Redis's
 * script cache lacks it): two copies of @agentq/shared with different scripts on one connection each run
 * their own. Nothing is defined on the connection: ioredis copies every command defined on a connection into
 * each pipeline it builds, and an auto-pipelined connection builds one per tick, which cost a step ~3% of the
 * worker's CPU with 33 scripts defined.
 */
export class ScriptRegistry {
  private readonly scripts = new Map<string, { sha: string; numberOfKeys: number; lua: string }>();

  constructor(files: ScriptFile[]) {
    for (const file of files) {
      this.scripts.set(file.name, { sha: createHash('sha1').update(file.lua).digest('hex'), numberOfKeys: file.numberOfKeys, lua: file.lua });
    }
  }

  /** The script names, in file order. */
  names(): string[] {
    return [...this.scripts.keys()];
  }

  /** The SHA1 of a script's source: what EVALSHA names it by. */
  shaOf(name: string): string {
    return this.entry(name).sha;
  }

  private entry(name: string): { sha: string; numberOfKeys: number; lua: string } {
    const entry = this.scripts.get(name);
    if (!entry) throw new Error(`no Lua script named "${name}"`);
    return entry;
  }

  /** Runs a script by name. The key count comes from the file name, so callers pass keys and args apart. */
  async run<T>(redis: Redis, name: string, keys: string[], args: Array<string | number>): Promise<T> {
    const { sha, numberOfKeys, lua } = this.entry(name);
    try {
      return (await redis.evalsha(sha, numberOfKeys, ...keys, ...args)) as T;
    } catch (error) {
      if (!isNoScript(error)) throw error;
      // EVAL also puts the script in the cache: the next EVALSHA finds it.
      return (await redis.eval(lua, numberOfKeys, ...keys, ...args)) as T;
    }
  }

  /**
   * Queues a script by SHA on a pipeline or multi. A NOSCRIPT reply comes back as that command's error: pass
   * the replies through {@link rerunNoScript}.
   */
  pipe(pipeline: ReturnType<Redis['pipeline']>, name: string, keys: string[], args: Array<string | number>): void {
    const { sha, numberOfKeys } = this.entry(name);
    pipeline.evalsha(sha, numberOfKeys, ...keys, ...args);
  }

  /**
   * The replies of calls of one script queued with {@link pipe}, with each NOSCRIPT one (a node whose script
   * cache lacks it: a restart, a new node) replaced by the reply of the same call run again with {@link run},
   * which sends the source. `argsOf(i)` gives call i's keys and args.
   */
  async rerunNoScript<T>(
    redis: Redis,
    name: string,
    replies: Array<[Error | null, T]>,
    argsOf: (i: number) => [string[], Array<string | number>],
  ): Promise<Array<[Error | null, T]>> {
    return Promise.all(
      replies.map(async (reply, i): Promise<[Error | null, T]> => (isNoScript(reply[0]) ? [null, await this.run<T>(redis, name, ...argsOf(i))] : reply)),
    );
  }
}

let registry: ScriptRegistry | undefined;

/** This package's scripts, read once per process. */
export function scriptRegistry(): ScriptRegistry {
  registry ??= new ScriptRegistry(readScriptDir(LUA_DIR));
  return registry;
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

/** Same as {@link runScript}, queued on a pipeline or multi; pass the replies through {@link rerunNoScript}. */
export function pipeScript(pipeline: ReturnType<Redis['pipeline']>, name: ScriptName, keys: string[], args: Array<string | number>): void {
  scriptRegistry().pipe(pipeline, name, keys, args);
}

/** The replies of {@link pipeScript} calls with each NOSCRIPT one run again by itself (see ScriptRegistry.rerunNoScript). */
export function rerunNoScript<T>(
  redis: Redis,
  name: ScriptName,
  replies: Array<[Error | null, T]>,
  argsOf: (i: number) => [string[], Array<string | number>],
): Promise<Array<[Error | null, T]>> {
  return scriptRegistry().rerunNoScript(redis, name, replies, argsOf);
}
