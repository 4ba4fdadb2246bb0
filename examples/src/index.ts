export { createDemoAgent, type DemoAgentOptions } from './demo-agent.js';
export { parseScript, scriptedInput, scriptToolCalls, type ScriptToolCall, type ScriptTurn } from './demo-script.js';
export { DEMO_SCENARIOS, demoScenarioNames, demoSessions, type DemoScenario, type DemoSessionStart, type ScenarioKind } from './demo-sessions.js';
export { createDemoTools, DEMO_TOOL_NAMES, type DemoToolDeps, type DemoToolName } from './demo-tools.js';
export { SANDBOX_FILES, seedSandbox } from './sandbox-seed.js';
export { createStatusAgent, STATUS_SERVER } from './status/status-agent.js';
export { createDeleteRecordTool, type DeleteRecordToolOptions } from './tools/delete-record.js';
export {
  createProcessPaymentTool,
  ledgerGuardKey,
  ledgerKey,
  readLedger,
  type LedgerEntry,
  type PaymentReceipt,
  type ProcessPaymentToolOptions,
} from './tools/process-payment.js';
export { createReadFileTool, type ReadFileToolOptions } from './tools/read-file.js';
export { recordsKey, SEED_RECORDS, seedRecords, type SeedRecordsOptions } from './tools/records.js';
export { resolveSandboxPath } from './tools/sandbox-path.js';
export { SEARCH_CORPUS, type SearchDocument } from './tools/search-corpus.js';
export { createSearchWebTool, searchCorpus, tokenize, type SearchHit, type SearchWebToolOptions } from './tools/search-web.js';
export { createSendEmailTool, type OutboxEmail, type SendEmailToolOptions } from './tools/send-email.js';
export { createWriteFileTool, type WriteFileToolOptions } from './tools/write-file.js';
export { createTestToolContext } from './testing/tool-context.js';
export { livePage, startLiveExample, type LiveExample, type LiveExampleOptions, type LivePageOptions } from './live/index.js';
