import { lstat, realpath } from 'node:fs/promises';
import path from 'node:path';
import { ToolPermissionError } from '@agentq/shared';

/**
 * Maps a model-supplied relative path to an absolute path inside `sandboxDir`, or throws
 * {@link ToolPermissionError}. The model controls `relPath`, so every way out is refused before any I/O:
 * absolute paths, `..` segments, NUL bytes, and symlinks (existing or dangling) that lead outside.
 */
export async function resolveSandboxPath(sandboxDir: string, relPath: string): Promise<string> {
  if (relPath.includes('\0')) {
    throw new ToolPermissionError('Path refused: it contains a NUL byte. Use a plain relative path such as "notes/todo.md".');
  }
  if (relPath.trim() === '') {
    throw new ToolPermissionError('Path refused: it is empty. Use a relative path such as "notes/todo.md".');
  }
  // Backslashes and drive letters are checked too: a path that is harmless on Linux may not be elsewhere.
  if (path.isAbsolute(relPath) || path.win32.isAbsolute(relPath) || /^[A-Za-z]:/.test(relPath)) {
    throw new ToolPermissionError(`Path refused: "${relPath}" is absolute. Only paths relative to the sandbox folder are allowed, e.g. "notes/todo.md".`);
  }
  if (relPath.split(/[\\/]+/).includes('..')) {
    throw new ToolPermissionError(`Path refused: "${relPath}" contains a ".." segment. Files outside the sandbox folder cannot be accessed.`);
  }

  const root = await realpath(sandboxDir);
  const target = path.resolve(root, relPath);
  if (!isInside(root, target)) {
    throw new ToolPermissionError(`Path refused: "${relPath}" resolves outside the sandbox folder.`);
  }
  await refuseSymlinkEscape(root, target, relPath);
  return target;
}

/**
 * Walks up from `target` to the deepest entry that exists and checks where it really points. A write
 * creates missing parents under that entry, so if it is inside the sandbox, so is everything below it.
 */
async function refuseSymlinkEscape(root: string, target: string, relPath: string): Promise<void> {
  let current = target;
  while (isInside(root, current) && current !== root) {
    const stat = await lstat(current).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT' || error.code === 'ENOTDIR') return undefined;
      throw error;
    });
    if (stat) {
      const real = await realpath(current).catch(() => undefined);
      // A dangling symlink has no real path; following it on write could create a file anywhere.
      if (real === undefined || !isInside(root, real)) {
        throw new ToolPermissionError(`Path refused: "${relPath}" goes through a symbolic link that leads outside the sandbox folder.`);
      }
      return;
    }
    current = path.dirname(current);
  }
}

function isInside(root: string, candidate: string): boolean {
  const rel = path.relative(root, candidate);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel));
}
