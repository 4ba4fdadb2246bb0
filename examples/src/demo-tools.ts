import type { Redis, Tool } from '@agentq/shared';
import { createDeleteRecordTool } from './tools/delete-record.js';
import { createProcessPaymentTool } from './tools/process-payment.js';
import { createReadFileTool } from './tools/read-file.js';
import { createSearchWebTool } from './tools/search-web.js';
import { createSendEmailTool } from './tools/send-email.js';
import { createWriteFileTool } from './tools/write-file.js';

/** What the demo tools need from their host. */
export interface DemoToolDeps {
  /** Connection `delete_record` and `process_payment` keep their data on. */
  redis: Redis;
  /** Key prefix of the app data, normally the agentq prefix, e.g. `aq`. */
  prefix: string;
  /** Folder `read_file` and `write_file` are confined to. Must exist. */
  sandboxDir: string;
  /** Folder `send_email` writes its outbox files to. Created if missing. */
  outboxDir: string;
}

/** The demo's six tools, in ascending risk: search_web, read_file, write_file, send_email, delete_record, process_payment. */
export function createDemoTools(deps: DemoToolDeps): Tool[] {
  return [
    createSearchWebTool(),
    createReadFileTool({ sandboxDir: deps.sandboxDir }),
    createWriteFileTool({ sandboxDir: deps.sandboxDir }),
    createSendEmailTool({ outboxDir: deps.outboxDir }),
    createDeleteRecordTool({ redis: deps.redis, prefix: deps.prefix }),
    createProcessPaymentTool({ redis: deps.redis, prefix: deps.prefix }),
  ];
}

/** Names of the tools {@link createDemoTools} returns. */
export const DEMO_TOOL_NAMES = ['search_web', 'read_file', 'write_file', 'send_email', 'delete_record', 'process_payment'] as const;
export type DemoToolName = (typeof DEMO_TOOL_NAMES)[number];
