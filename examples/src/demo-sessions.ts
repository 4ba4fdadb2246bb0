import type { StartSessionInput } from '@agentq/shared';
import { scriptedInput, type ScriptToolCall, type ScriptTurn } from './demo-script.js';

/** What a scenario demonstrates: tools that run unattended, an approval park, or a runtime guard. */
export type ScenarioKind = 'auto' | 'approval' | 'guard';

/** One scripted demo scenario. */
export interface DemoScenario {
  /** Short kebab-case id, carried as `metadata.scenario`. */
  name: string;
  kind: ScenarioKind;
  /** One line the demo prints next to the session. */
  shows: string;
  prompt: string;
  script: ScriptTurn[];
}

/** Start arguments of one demo session, with metadata the demo prints. */
export type DemoSessionStart = StartSessionInput & {
  agent: 'demo';
  /** Demo tasks are plain text. */
  input: string;
  metadata: { scenario: string; kind: ScenarioKind; shows: string };
};

const search = (query: string, maxResults?: number): ScriptToolCall => ({
  tool: 'search_web',
  input: maxResults === undefined ? { query } : { query, maxResults },
});
const read = (path: string): ScriptToolCall => ({ tool: 'read_file', input: { path } });
const write = (path: string, content: string): ScriptToolCall => ({ tool: 'write_file', input: { path, content } });
const done = (text: string): ScriptTurn => ({ text });

/**
 * The 20 scenarios, ordered so that any first few already mix unattended work, approvals and guards.
 * 12 run unattended (safe/low tools only), 6 park for approval, 2 trip a runtime guard.
 */
export const DEMO_SCENARIOS: readonly DemoScenario[] = [
  {
    name: 'research-bullmq-rate-limits',
    kind: 'auto',
    shows: 'search then write notes (3 turns)',
    prompt: 'Research BullMQ rate limiting and save notes.',
    script: [
      search('BullMQ rate limiting'),
      write(
        'notes/bullmq-rate-limits.md',
        '# BullMQ rate limiting\n\n- Worker option limiter { max, duration } caps jobs per window across workers.\n- worker.rateLimit(ms) + RateLimitError backs off on a 429.\n',
      ),
      done('Saved notes on BullMQ rate limiting to notes/bullmq-rate-limits.md.'),
    ],
  },
  {
    name: 'parallel-redis-research',
    kind: 'auto',
    shows: 'two searches in parallel in one turn',
    prompt: 'Compare Redis streams with sorted sets for scheduling delayed work, and write a short comparison.',
    script: [
      [search('Redis streams consumer groups'), search('delayed jobs sorted set')],
      write(
        'notes/streams-vs-sorted-sets.md',
        '# Streams vs sorted sets\n\nStreams: append-only log, consumer groups, acks.\nSorted sets: score by due time, promote when due (BullMQ delayed jobs).\n',
      ),
      done('Wrote notes/streams-vs-sorted-sets.md: streams suit event logs, sorted sets suit delayed jobs.'),
    ],
  },
  {
    name: 'email-internal-status',
    kind: 'approval',
    shows: 'send_email to example.com (medium risk) parks for approval',
    prompt: 'Read the queue runbook and email the on-call engineer a short status update.',
    script: [
      read('runbook.md'),
      {
        tool: 'send_email',
        input: {
          to: 'oncall@example.com',
          subject: 'Queue status: no backlog',
          body: 'Checked the runbook steps: wait count is normal and the rate-limit governor shows spare capacity. No action needed.',
        },
      },
      done('Emailed oncall@example.com a status update based on the runbook.'),
    ],
  },
  {
    name: 'invalid-input-corrected',
    kind: 'auto',
    shows: 'invalid tool input (query: 123) returns to the model as an error, then a corrected call',
    prompt: 'Find out how Claude tool use reports errors back to the model.',
    script: [
      { tool: 'search_web', input: { query: 123 } },
      search('Claude tool use errors is_error'),
      done('Tool errors go back as a tool_result with is_error true; Claude reads them and retries with corrected input.'),
    ],
  },
  {
    name: 'loop-repeated-search',
    kind: 'guard',
    shows: 'identical search_web call 5 times: loop detection steps in',
    prompt: 'Keep checking the Anthropic rate limits page until it changes.',
    script: [
      search('Anthropic API rate limits'),
      search('Anthropic API rate limits'),
      search('Anthropic API rate limits'),
      search('Anthropic API rate limits'),
      search('Anthropic API rate limits'),
      done('The rate limits page did not change.'),
    ],
  },
  {
    name: 'delete-stale-customer',
    kind: 'approval',
    shows: 'delete_record (high risk) parks for approval; the operator denies it',
    prompt: 'Check the TODO list and remove the stale test customer account it mentions.',
    script: [
      read('notes/todo.md'),
      { tool: 'delete_record', input: { table: 'customers', id: 'cus_1003' } },
      done(
        'The operator denied deleting cus_1003 (customer records are kept for audit), so the stale test customer is still there; it can be archived instead.',
      ),
    ],
  },
  {
    name: 'read-runbook-summary',
    kind: 'auto',
    shows: 'single read then answer (2 turns)',
    prompt: 'What does our runbook say to do about a queue backlog?',
    script: [
      read('runbook.md'),
      done('Check the wait count, then the rate-limit governor; scale workers only if there is spare capacity, and post a status note.'),
    ],
  },
  {
    name: 'sandbox-escape-refused',
    kind: 'guard',
    shows: 'read_file of ../etc/passwd is refused (tool_permission_denied)',
    prompt: 'Read the system password file and tell me which users exist.',
    script: [read('../etc/passwd'), done('I cannot read files outside my working folder, so I cannot list system users.')],
  },
  {
    name: 'pay-vendor-invoice',
    kind: 'approval',
    shows: 'process_payment (high risk, recipient redacted) parks for approval; the operator denies it (over the limit)',
    prompt: 'Pay the March hosting invoice of 1250 EUR to Acme Hosting GmbH.',
    script: [
      {
        tool: 'process_payment',
        input: { amount: 1250, currency: 'EUR', recipient: 'Acme Hosting GmbH, IBAN DE89 3704 0044 0532 0130 00', memo: 'Invoice 2025-03' },
      },
      done('The payment of 1250 EUR to Acme Hosting GmbH was denied (over the operator limit); nothing was paid, and invoice 2025-03 needs a sign-off.'),
    ],
  },
  {
    name: 'missing-file-recovered',
    kind: 'auto',
    shows: 'read_file of a missing file returns the folder listing; the model picks the right file',
    prompt: "Summarise the notes about last March's incident.",
    script: [
      read('incident.md'),
      read('incidents/2025-03-queue-backlog.md'),
      done('In March a burst of 2,000 sessions hit the rate limit; lockstep retries grew the backlog. Fixed with jittered backoff and retry-after.'),
    ],
  },
  {
    name: 'parallel-reads-summary',
    kind: 'auto',
    shows: 'two reads in parallel, then a write (3 turns)',
    prompt: 'Combine the workspace README and the TODO list into a one-page overview.',
    script: [
      [read('README.md'), read('notes/todo.md')],
      write('notes/overview.md', '# Overview\n\nShared ops workspace. Open items: summarise BullMQ rate limiting; review stale test accounts.\n'),
      done('Wrote notes/overview.md from the README and the TODO list.'),
    ],
  },
  {
    name: 'email-external-partner',
    kind: 'approval',
    shows: 'send_email outside example.com: policy raises the risk to high; the operator denies it',
    prompt: 'Let our partner know the integration maintenance window is tomorrow 02:00-03:00 UTC.',
    script: [
      {
        tool: 'send_email',
        input: {
          to: 'linus@partner.example.net',
          subject: 'Maintenance window tomorrow 02:00-03:00 UTC',
          body: 'Hello Linus, our integration endpoint will be in maintenance tomorrow from 02:00 to 03:00 UTC. Requests in that window will be queued.',
        },
      },
      done(
        'Sending to linus@partner.example.net was denied (external email needs a signed-off template), so the partner has not been told about the maintenance window yet.',
      ),
    ],
  },
  {
    name: 'backoff-research',
    kind: 'auto',
    shows: 'two sequential searches, write, answer (4 turns)',
    prompt: 'How should a client retry after HTTP 429? Write a guideline.',
    script: [
      search('exponential backoff jitter'),
      search('429 retry-after header'),
      write('notes/retry-guideline.md', '# Retrying after 429\n\n1. Honour retry-after when present.\n2. Otherwise exponential backoff with full jitter.\n'),
      done('Wrote notes/retry-guideline.md: honour retry-after, else exponential backoff with jitter.'),
    ],
  },
  {
    name: 'write-and-verify',
    kind: 'auto',
    shows: 'write then read back to verify (3 turns)',
    prompt: 'Post a status note saying the queue is healthy, and double-check it was saved.',
    script: [
      write('notes/status.md', '# Status\n\nQueue healthy: no backlog, governor has spare capacity.\n'),
      read('notes/status.md'),
      done('Saved and verified notes/status.md.'),
    ],
  },
  {
    name: 'research-then-pay-credit',
    kind: 'approval',
    shows: 'a search runs unattended, then process_payment parks',
    prompt: 'Refund the customer from order ord_5002 after checking our idempotency guidance.',
    script: [
      search('idempotency keys retries'),
      {
        tool: 'process_payment',
        input: { amount: 89.9, currency: 'USD', recipient: 'Grace Hopper (cus_1002)', memo: 'Refund ord_5002' },
      },
      done('Refunded 89.90 USD to Grace Hopper for order ord_5002.'),
    ],
  },
  {
    name: 'agent-design-brief',
    kind: 'auto',
    shows: 'three searches in parallel, write, read back (4 turns)',
    prompt: 'Draft a design brief on guardrails for our agents: approvals, loop detection and checkpoints.',
    script: [
      [search('human approval agents'), search('agent loop detection'), search('checkpointing agent sessions')],
      write(
        'notes/agent-guardrails.md',
        '# Agent guardrails\n\n- Human approval for payments, deletions and email.\n- Loop detection over recent call signatures.\n- One step per job with checkpoints.\n',
      ),
      read('notes/agent-guardrails.md'),
      done('Drafted notes/agent-guardrails.md covering approvals, loop detection and checkpoints.'),
    ],
  },
  {
    name: 'quick-lookup',
    kind: 'auto',
    shows: 'one search with maxResults, then answer (2 turns)',
    prompt: 'Quick question: what does SET NX do in Redis?',
    script: [search('Redis SET NX', 2), done('SET NX only sets the key if it does not exist yet; it is the basis of simple locks and idempotency keys.')],
  },
  {
    name: 'parallel-write-and-email',
    kind: 'approval',
    shows: 'parallel write_file + send_email: the write runs, the email parks',
    prompt: 'Record that the incident review is done and tell the team.',
    script: [
      [
        write('notes/incident-review.md', '# Incident review\n\nMarch backlog review done. Action items tracked in notes/todo.md.\n'),
        {
          tool: 'send_email',
          input: {
            to: 'team@example.com',
            subject: 'Incident review done',
            body: 'The March backlog incident review is written up in notes/incident-review.md.',
          },
        },
      ],
      done('Wrote notes/incident-review.md and emailed the team.'),
    ],
  },
  {
    name: 'claude-tool-use-notes',
    kind: 'auto',
    shows: 'search, search, write, read, answer (5 turns)',
    prompt: 'Write a cheat sheet on Claude tool use, including parallel tool calls.',
    script: [
      search('Claude tool use'),
      search('Claude parallel tool use tool_result'),
      write(
        'notes/claude-tool-use.md',
        '# Claude tool use\n\n- Tools: name, description, input_schema.\n- stop_reason tool_use -> run tools -> tool_result blocks.\n- Parallel calls: answer every tool_use_id in the next user message.\n',
      ),
      read('notes/claude-tool-use.md'),
      done('Wrote the cheat sheet to notes/claude-tool-use.md.'),
    ],
  },
  {
    name: 'incident-followup',
    kind: 'auto',
    shows: 'read, search, write (4 turns)',
    prompt: 'Read the March incident report and add a follow-up note on better retries.',
    script: [
      read('incidents/2025-03-queue-backlog.md'),
      search('exponential backoff jitter'),
      write('notes/incident-followup.md', '# Follow-up: March backlog\n\nAdd full jitter to step retries so workers stop retrying in lockstep.\n'),
      done('Added notes/incident-followup.md recommending jittered retries.'),
    ],
  },
];

/** Scenario names in the order {@link demoSessions} uses them. */
export const demoScenarioNames: readonly string[] = DEMO_SCENARIOS.map((s) => s.name);

/**
 * Start arguments for `count` demo sessions of the `demo` agent. Cycles through {@link DEMO_SCENARIOS}
 * when `count` exceeds them; deterministic, so two runs enqueue the same work.
 */
export function demoSessions(count = 20): DemoSessionStart[] {
  if (!Number.isInteger(count) || count < 0) throw new RangeError(`demoSessions: count must be a non-negative integer, got ${count}`);
  return Array.from({ length: count }, (_, i) => {
    const scenario = DEMO_SCENARIOS[i % DEMO_SCENARIOS.length] as DemoScenario;
    return {
      agent: 'demo',
      input: scriptedInput(scenario.prompt, scenario.script),
      metadata: { scenario: scenario.name, kind: scenario.kind, shows: scenario.shows },
    };
  });
}

/**
 * One session sent through the Message Batches lane (`urgency: 'batch'`): its model calls wait in the
 * queue's batch buffer, go out as Message Batches at half price, and each result resumes its step.
 */
export function batchLaneSession(): DemoSessionStart {
  const scenario: DemoScenario = {
    name: 'batch-lane-digest',
    kind: 'auto',
    shows: 'urgency "batch": every model call goes through the Message Batches API at half price',
    prompt: 'Overnight digest: search for queue news and summarise it; no one is waiting for the answer.',
    script: [search('job queue news this week'), done('Digest: nothing urgent in job-queue news this week.')],
  };
  return {
    agent: 'demo',
    input: scriptedInput(scenario.prompt, scenario.script),
    urgency: 'batch',
    metadata: { scenario: scenario.name, kind: scenario.kind, shows: scenario.shows },
  };
}

/** The `status` agent's session in the demo: its one tool call goes to the demo's stdio MCP server. */
export const MCP_SESSION_TOOL = 'status_service_status';

/**
 * One session of the `status` agent, whose only tool comes from the demo's status-page MCP server: the worker
 * discovers the server's tools on the session's first step, saves the list with the session, and the call runs
 * like any agentq tool call (checkpointed, loop-checked, risk-gated by the tool's MCP annotations).
 */
export function mcpSession(): StartSessionInput & { agent: 'status'; input: string; metadata: { scenario: string; shows: string } } {
  return {
    agent: 'status',
    input: scriptedInput('Is anything degraded right now? Check the workers.', [
      { tool: MCP_SESSION_TOOL, input: { service: 'workers' } },
      { text: 'The workers are degraded: 1 of 3 worker pods is restarting after a deploy. The API and Redis were not reported degraded.' },
    ]),
    metadata: { scenario: 'mcp-status-check', shows: 'a tool from an MCP server (stdio), discovered once and saved with the session' },
  };
}
