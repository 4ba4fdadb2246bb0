#!/usr/bin/env node
import { AgentqError } from '@agentq/shared';
import { buildProgram } from '../cli/program.js';

const { program, close } = buildProgram();
try {
  await program.parseAsync();
  await close();
} catch (error) {
  await close().catch(() => undefined);
  const message = AgentqError.isInstance(error) ? `${error.code}: ${error.message}` : error instanceof Error ? error.message : String(error);
  process.stderr.write(`agentq: ${message}\n`);
  process.exit(1);
}
