import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';

/** Files the demo's `read_file` sessions expect to find in the sandbox. */
export const SANDBOX_FILES: Readonly<Record<string, string>> = {
  'README.md': ['# Ops workspace', '', 'Shared folder of the operations assistant. Notes go under notes/, runbooks at the top level.', ''].join('\n'),
  'runbook.md': [
    '# Queue backlog runbook',
    '',
    '1. Check the wait count of the agent queue; more than 500 waiting jobs is a backlog.',
    '2. Check the rate-limit governor: a 429 storm means the model provider is throttling us.',
    '3. Scale workers only if the governor shows spare capacity; otherwise they just wait.',
    '4. Post a status note in notes/status.md.',
    '',
  ].join('\n'),
  'notes/todo.md': ['# TODO', '', '- Summarise BullMQ rate limiting options', '- Review stale test accounts (cus_1003)', ''].join('\n'),
  'incidents/2025-03-queue-backlog.md': [
    '# Incident: queue backlog, 2025-03-14',
    '',
    'A burst of 2,000 sessions hit the provider rate limit. Workers retried in lockstep and the backlog grew for 40 minutes.',
    'Fix: exponential backoff with jitter, and honouring retry-after.',
    '',
  ].join('\n'),
};

/** Writes {@link SANDBOX_FILES} into `sandboxDir`, leaving files that already exist alone. */
export async function seedSandbox(sandboxDir: string): Promise<void> {
  for (const [rel, content] of Object.entries(SANDBOX_FILES)) {
    const file = path.join(sandboxDir, rel);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, content, { flag: 'wx' }).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'EEXIST') throw error;
    });
  }
}
