import { constants } from 'node:fs';
import { mkdir, open } from 'node:fs/promises';
import path from 'node:path';
import { defineTool } from '@agentq/shared';
import { z } from 'zod';
import { resolveSandboxPath } from './sandbox-path.js';

/** Options of {@link createWriteFileTool}. */
export interface WriteFileToolOptions {
  /** Folder the tool may write into; every path the model gives is relative to it. */
  sandboxDir: string;
  /** Largest content accepted, in characters. @defaultValue 100000 */
  maxChars?: number;
}

// O_NOFOLLOW closes the gap between the symlink check and the open: a link planted in between is refused.
const WRITE_FLAGS = constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_NOFOLLOW;

/** `write_file`: creates or replaces a UTF-8 text file in the sandbox folder, creating parent folders. */
export function createWriteFileTool(options: WriteFileToolOptions) {
  const WriteFileInput = z.object({
    path: z.string().min(1).max(512).describe('Path relative to the sandbox folder, e.g. "notes/bullmq.md"'),
    content: z
      .string()
      .max(options.maxChars ?? 100_000)
      .describe('Full text of the file; replaces any existing content'),
  });
  return defineTool({
    name: 'write_file',
    description: 'Create or overwrite a UTF-8 text file in the sandbox folder. Paths are relative to that folder; absolute paths and ".." are refused.',
    input: WriteFileInput,
    risk: 'low',
    timeoutMs: 5_000,
    run: async ({ path: relPath, content }) => {
      const file = await resolveSandboxPath(options.sandboxDir, relPath);
      await mkdir(path.dirname(file), { recursive: true });
      const handle = await open(file, WRITE_FLAGS, 0o644);
      try {
        await handle.writeFile(content, 'utf8');
      } finally {
        await handle.close();
      }
      return { path: relPath, bytes: Buffer.byteLength(content, 'utf8'), written: true };
    },
  });
}
