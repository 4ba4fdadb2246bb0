import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { AgentqError, ToolPermissionError } from '@agentq/shared';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { createTestToolContext } from './testing/tool-context.js';
import { createReadFileTool } from './tools/read-file.js';
import { createWriteFileTool } from './tools/write-file.js';

let base: string;
let sandbox: string;
let outside: string;

beforeEach(async () => {
  base = await mkdtemp(path.join(os.tmpdir(), 'agentq-file-tools-'));
  sandbox = path.join(base, 'sandbox');
  outside = path.join(base, 'outside');
  await mkdir(path.join(sandbox, 'notes'), { recursive: true });
  await mkdir(outside);
  await writeFile(path.join(sandbox, 'notes', 'todo.md'), '# TODO\n');
  await writeFile(path.join(sandbox, 'readme.md'), 'hello');
  await writeFile(path.join(outside, 'secret.txt'), 'top secret');
});

afterEach(async () => {
  await rm(base, { recursive: true, force: true });
});

const readTool = () => createReadFileTool({ sandboxDir: sandbox });
const writeTool = () => createWriteFileTool({ sandboxDir: sandbox });
const read = async (p: string) => readTool().run({ path: p }, createTestToolContext());
const write = async (p: string, content: string) => writeTool().run({ path: p, content }, createTestToolContext());

async function refusal(promise: Promise<unknown>): Promise<ToolPermissionError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ToolPermissionError);
  expect((error as ToolPermissionError).code).toBe('tool_permission_denied');
  return error as ToolPermissionError;
}

describe('read_file', () => {
  test('is safe and reads a relative path', async () => {
    expect(readTool().risk).toBe('safe');
    expect(await read('notes/todo.md')).toEqual({ path: 'notes/todo.md', content: '# TODO\n', chars: 7, truncated: false });
    expect(await read('./readme.md')).toMatchObject({ content: 'hello' });
  });

  test('cuts long files and says so', async () => {
    await writeFile(path.join(sandbox, 'long.txt'), 'x'.repeat(50));
    const tool = createReadFileTool({ sandboxDir: sandbox, maxChars: 10 });
    expect(await tool.run({ path: 'long.txt' }, createTestToolContext())).toEqual({
      path: 'long.txt',
      content: 'x'.repeat(10),
      chars: 50,
      truncated: true,
    });
  });

  test.each([
    ['/etc/passwd', /absolute/],
    ['../etc/passwd', /"\.\."/],
    ['notes/../../outside/secret.txt', /"\.\."/],
    ['notes\\..\\..\\x', /"\.\."/],
    ['notes/todo.md\0.png', /NUL byte/],
    ['C:\\Windows\\win.ini', /absolute/],
  ])('refuses %j', async (p, message) => {
    const error = await refusal(read(p));
    expect(error.message).toMatch(message);
  });

  test('refuses a symlinked folder that leads outside', async () => {
    await symlink(outside, path.join(sandbox, 'escape'));
    const error = await refusal(read('escape/secret.txt'));
    expect(error.message).toMatch(/symbolic link/);
  });

  test('refuses a symlinked file that leads outside', async () => {
    await symlink(path.join(outside, 'secret.txt'), path.join(sandbox, 'secret-link.txt'));
    await refusal(read('secret-link.txt'));
  });

  test('follows a symlink that stays inside the sandbox', async () => {
    await symlink(path.join(sandbox, 'readme.md'), path.join(sandbox, 'alias.md'));
    expect(await read('alias.md')).toMatchObject({ content: 'hello' });
  });

  test('a missing file is a non-retryable error listing the files that do exist', async () => {
    const error = await read('notes/missing.md').then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(AgentqError.isInstance(error)).toBe(true);
    expect((error as AgentqError).code).toBe('tool_failed');
    expect((error as AgentqError).message).toMatch(/File not found: "notes\/missing\.md"\. Files in "notes\/": todo\.md/);
  });

  test('a missing top-level file lists the sandbox root', async () => {
    await expect(read('nope.md')).rejects.toThrow(/Files in "": notes\/, readme\.md/);
  });

  test('reading a folder says it is a folder', async () => {
    await expect(read('notes')).rejects.toThrow(/is a folder.*todo\.md/);
  });
});

describe('write_file', () => {
  test('is low risk and idempotent', () => {
    expect(writeTool().risk).toBe('low');
    expect(writeTool().idempotent).toBe(true);
  });

  test('writes, creating parent folders, and overwrites', async () => {
    expect(await write('notes/new/deep.md', 'one')).toEqual({ path: 'notes/new/deep.md', bytes: 3, written: true });
    await write('notes/new/deep.md', 'two!');
    expect(await readFile(path.join(sandbox, 'notes/new/deep.md'), 'utf8')).toBe('two!');
  });

  test.each(['/tmp/evil.txt', '../evil.txt', 'a/../../evil.txt', 'evil\0.txt'])('refuses %j', async (p) => {
    await refusal(write(p, 'x'));
  });

  test('refuses writing through a symlinked folder that leads outside', async () => {
    await symlink(outside, path.join(sandbox, 'escape'));
    await refusal(write('escape/new.txt', 'x'));
    await refusal(write('escape/sub/new.txt', 'x'));
    await expect(readFile(path.join(outside, 'new.txt'))).rejects.toThrow(/ENOENT/);
  });

  test('refuses overwriting a symlink to an outside file', async () => {
    await symlink(path.join(outside, 'secret.txt'), path.join(sandbox, 'link.txt'));
    await refusal(write('link.txt', 'pwned'));
    expect(await readFile(path.join(outside, 'secret.txt'), 'utf8')).toBe('top secret');
  });

  test('refuses a dangling symlink, which a write would follow to create a file outside', async () => {
    await symlink(path.join(outside, 'not-yet.txt'), path.join(sandbox, 'dangling.txt'));
    await refusal(write('dangling.txt', 'x'));
    await expect(readFile(path.join(outside, 'not-yet.txt'))).rejects.toThrow(/ENOENT/);
  });

  test('content over the limit is rejected by the schema', () => {
    const tool = createWriteFileTool({ sandboxDir: sandbox, maxChars: 5 });
    expect(tool.input.safeParse({ path: 'a.txt', content: '123456' }).success).toBe(false);
  });
});
