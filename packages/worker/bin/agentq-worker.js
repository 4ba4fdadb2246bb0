#!/usr/bin/env node
// The installed `agentq-worker` command: runs the compiled entry point that `pnpm build` writes to dist/. Committed so
// that `pnpm install` can link the command before anything is built.
import { existsSync } from 'node:fs';

const built = new URL('../dist/bin/agentq-worker.js', import.meta.url);
if (!existsSync(built)) {
  process.stderr.write('agentq-worker: not built yet; run `pnpm build` at the repository root\n');
  process.exit(1);
}
await import(built.href);
