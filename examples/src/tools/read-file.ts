import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { AgentqError, defineTool } from '@agentq/shared';
import { z } from 'zod';
import { resolveSandboxPath } from './sandbox-path.js';

/** Options of {@link createReadFileTool}. */
export interface ReadFileToolOptions {
  /** Folder the tool may read from; every path the model gives is relative to it. */
  sandboxDir: string;
  /** Longer files are cut so one read cannot flood the context window. @defaultValue 20000 */
  maxChars?: number;
}

const ReadFileInput = z.object({
  path: z.string().min(1).max(512).describe('Path relative to the sandbox folder, e.g. "notes/todo.md"'),
});

/** `read_file`: reads a UTF-8 text file from the sandbox folder. */
export function createReadFileTool(options: ReadFileToolOptions) {
  const maxChars = options.maxChars ?? 20_000;
  return defineTool({
    name: 'read_file',
    description: 'Read a UTF-8 text file from the sandbox folder. Paths are relative to that folder; absolute paths and ".." are refused.',
    input: ReadFileInput,
    risk: 'safe',
    timeoutMs: 5_000,
    run: async ({ path: relPath }, ctx) => {
      const file = await resolveSandboxPath(options.sandboxDir, relPath);
      let text: string;
      try {
        text = await readFile(file, { encoding: 'utf8', signal: ctx.signal });
      } catch (error) {
        throw await readFailure(options.sandboxDir, relPath, error);
      }
      const truncated = text.length > maxChars;
      return { path: relPath, content: truncated ? text.slice(0, maxChars) : text, chars: text.length, truncated };
    },
  });
}

/**
 * Turns an fs error into one the model can act on: a missing file lists what does exist nearby, so the
 * next call can pick a real name instead of guessing again. Not retried: reading again will not help.
 */
async function readFailure(sandboxDir: string, relPath: string, error: unknown): Promise<Error> {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT' || code === 'ENOTDIR') {
    const dir = path.dirname(relPath);
    const siblings = await listDir(path.join(sandboxDir, dir));
    const hint = siblings.length > 0 ? ` Files in "${dir === '.' ? '' : `${dir}/`}": ${siblings.join(', ')}.` : ' That folder is empty or does not exist.';
    return new AgentqError('tool_failed', `File not found: "${relPath}".${hint}`, { cause: error, details: { path: relPath } });
  }
  if (code === 'EISDIR') {
    const entries = await listDir(path.join(sandboxDir, relPath));
    return new AgentqError('tool_failed', `"${relPath}" is a folder, not a file. It holds: ${entries.join(', ') || '(nothing)'}.`, {
      cause: error,
      details: { path: relPath },
    });
  }
  return error instanceof Error ? error : new Error(String(error));
}

async function listDir(dir: string): Promise<string[]> {
  try {
    const entries = await readdir(dir, { withFileTypes: true });
    return entries
      .map((e) => (e.isDirectory() ? `${e.name}/` : e.name))
      .sort()
      .slice(0, 50);
  } catch {
    return [];
  }
}
