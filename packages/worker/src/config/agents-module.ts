import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Agent } from '@agentq/shared';

/** The agents a worker serves, or the one line it prints when `--agents` cannot be used. */
export type AgentsModule = { ok: true; agents: Agent[] } | { ok: false; message: string };

/**
 * Loads the module named by `agentq-worker --agents <module>`: a file path resolved against `cwd` (the
 * directory the worker was started in), whose default export is a non-empty array of agents.
 */
export async function loadAgentsModule(spec: string, cwd: string = process.cwd()): Promise<AgentsModule> {
  const file = resolve(cwd, spec);
  if (!existsSync(file)) {
    return { ok: false, message: `--agents ${spec}: no such file ${file} (the path is resolved against the current directory ${cwd})` };
  }
  let mod: { default?: unknown };
  try {
    mod = (await import(pathToFileURL(file).href)) as { default?: unknown };
  } catch (error) {
    const reason = error instanceof Error ? (error.message.split('\n')[0] ?? error.name) : String(error);
    return { ok: false, message: `--agents ${spec}: loading ${file} failed: ${reason}` };
  }
  const agents = mod.default;
  if (!Array.isArray(agents) || agents.length === 0 || agents.some((a) => (a as Agent | undefined)?.kind !== 'agentq.agent')) {
    return { ok: false, message: `--agents ${spec}: ${file} must default-export a non-empty array of defineAgent(...) results` };
  }
  return { ok: true, agents: agents as Agent[] };
}
