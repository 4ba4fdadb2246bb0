#!/usr/bin/env node
// The installed `mock-anthropic` command: runs the compiled entry point that `pnpm build` writes to dist/. Committed so
// that `pnpm install` can link the command before anything is built.
import { existsSync } from 'node:fs';

const built = new URL('../dist/bin/mock-anthropic.js', import.meta.url);
if (!existsSync(built)) {
  process.stderr.write('mock-anthropic: not built yet; run `pnpm build` at the repository root\n');
  process.exit(1);
}
await import(built.href);
