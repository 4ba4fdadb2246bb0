/** One document of the offline corpus `search_web` searches. */
export interface SearchDocument {
  title: string;
  url: string;
  snippet: string;
}

/**
 * A small fixed corpus so the demo's searches work offline and answer the same way every run. The URLs
 * are illustrative; nothing is fetched.
 */
export const SEARCH_CORPUS: readonly SearchDocument[] = [
  {
    title: 'BullMQ: Rate limiting',
    url: 'https://docs.bullmq.io/guide/rate-limiting',
    snippet:
      'A BullMQ worker can be rate limited with the limiter option { max, duration }: at most max jobs are processed per duration across all workers of the queue. Call worker.rateLimit(ms) and throw Worker.RateLimitError() to back off when an external API answers 429.',
  },
  {
    title: 'BullMQ: Retrying failing jobs',
    url: 'https://docs.bullmq.io/guide/retrying-failing-jobs',
    snippet:
      'Set attempts and backoff on a job to retry it after a failure. Backoff can be fixed or exponential, with an optional jitter. Throw an UnrecoverableError to fail a job at once without using the remaining attempts.',
  },
  {
    title: 'BullMQ: Stalled jobs',
    url: 'https://docs.bullmq.io/guide/workers/stalled-jobs',
    snippet:
      'When a worker dies while processing, its lock expires and the job is detected as stalled and moved back to wait, so another worker picks it up. maxStalledCount bounds how often a job may stall before it fails.',
  },
  {
    title: 'BullMQ: Flows and parent-child jobs',
    url: 'https://docs.bullmq.io/guide/flows',
    snippet:
      'A flow adds a parent job together with its children; the parent is processed only after every child completes. Useful for fan-out and fan-in pipelines where one step waits for many others.',
  },
  {
    title: 'BullMQ: Delayed jobs and job schedulers',
    url: 'https://docs.bullmq.io/guide/jobs/delayed',
    snippet:
      'Delayed jobs wait in a sorted set scored by their due time and are promoted to the wait list when the delay passes. Job schedulers create repeatable jobs on a cron pattern or a fixed interval.',
  },
  {
    title: 'BullMQ: Graceful shutdown',
    url: 'https://docs.bullmq.io/guide/workers/graceful-shutdown',
    snippet:
      'Call worker.close() on SIGTERM: the worker stops taking new jobs and waits for the active ones to finish. Jobs still running when the process is killed become stalled and are retried elsewhere.',
  },
  {
    title: 'Redis Streams introduction',
    url: 'https://redis.io/docs/latest/develop/data-types/streams/',
    snippet:
      'A Redis stream is an append-only log of entries with ids ordered by time. XADD appends, XRANGE reads a range, XREAD blocks for new entries, and consumer groups with XREADGROUP and XACK share the work among consumers.',
  },
  {
    title: 'Redis transactions: MULTI, EXEC and WATCH',
    url: 'https://redis.io/docs/latest/develop/interact/transactions/',
    snippet:
      'MULTI queues commands and EXEC runs them as one isolated unit; no other client runs a command in between. Commands inside MULTI are not conditional: use WATCH for optimistic locking or a Lua script for check-and-set logic.',
  },
  {
    title: 'Redis Lua scripting with EVAL',
    url: 'https://redis.io/docs/latest/develop/interact/programmability/eval-intro/',
    snippet:
      'EVAL runs a Lua script atomically on the server. Pass every key the script touches in KEYS so that it works on a cluster. Scripts are ideal for read-modify-write operations such as rate limiters and idempotency guards.',
  },
  {
    title: 'Redis SET with NX and EX for locks and idempotency keys',
    url: 'https://redis.io/docs/latest/commands/set/',
    snippet:
      'SET key value NX only sets the key if it does not exist, and EX gives it an expiry in seconds. It is the usual building block of a simple lock or of an idempotency key that makes a retried request run only once.',
  },
  {
    title: 'Redis persistence: RDB and AOF',
    url: 'https://redis.io/docs/latest/operate/oss_and_stack/management/persistence/',
    snippet:
      'RDB takes point-in-time snapshots; the append-only file logs every write and can fsync every second. Queues that must not lose jobs on a restart should run Redis with AOF enabled and maxmemory-policy noeviction.',
  },
  {
    title: 'Token bucket rate limiting explained',
    url: 'https://example.org/blog/token-bucket-rate-limiting',
    snippet:
      'A token bucket holds up to a burst of tokens and refills at a steady rate; each request takes tokens and waits when the bucket is empty. It smooths bursts better than a fixed window counter and is easy to implement in Redis with a Lua script.',
  },
  {
    title: 'Exponential backoff and jitter',
    url: 'https://example.org/blog/exponential-backoff-and-jitter',
    snippet:
      'Retrying at once after a failure makes overload worse. Exponential backoff doubles the wait after each failure and full jitter picks a random wait up to that bound, so that many clients do not retry in lockstep.',
  },
  {
    title: 'HTTP 429 Too Many Requests and the retry-after header',
    url: 'https://example.org/reference/http-429-retry-after',
    snippet:
      'A 429 response means the client sent too many requests. The retry-after header gives the number of seconds to wait before trying again; a well-behaved client honours it rather than its own backoff schedule.',
  },
  {
    title: 'Anthropic API rate limits',
    url: 'https://docs.anthropic.com/en/api/rate-limits',
    snippet:
      'The Claude API limits requests per minute, input tokens per minute and output tokens per minute per model class. A 429 rate_limit_error carries retry-after and anthropic-ratelimit headers that tell how much capacity remains.',
  },
  {
    title: 'Claude tool use overview',
    url: 'https://docs.anthropic.com/en/docs/agents-and-tools/tool-use/overview',
    snippet:
      'Give Claude tools with a name, a description and a JSON Schema input_schema. When Claude wants to use one it answers with stop_reason tool_use and tool_use blocks; your code runs the tool and sends back tool_result blocks in the next user message.',
  },
  {
    title: 'Claude parallel tool use',
    url: 'https://docs.anthropic.com/en/docs/agents-and-tools/tool-use/parallel-tool-use',
    snippet:
      'Claude may call several tools in one turn. Every tool_use block must be answered by a tool_result with the same tool_use_id, all in the single user message that follows, before any other text.',
  },
  {
    title: 'Handling tool errors in Claude tool use',
    url: 'https://docs.anthropic.com/en/docs/agents-and-tools/tool-use/handling-tool-errors',
    snippet:
      'When a tool fails or its input is invalid, return a tool_result with is_error true and a message that explains what went wrong. Claude reads the error and usually retries with corrected input or tries another approach.',
  },
  {
    title: 'Prompt caching with the Messages API',
    url: 'https://docs.anthropic.com/en/docs/build-with-claude/prompt-caching',
    snippet:
      'Mark a prefix of the prompt with cache_control to cache it; later requests that share the prefix read it from cache at a fraction of the input token price. Long system prompts and tool definitions benefit most.',
  },
  {
    title: 'Building effective agents',
    url: 'https://www.anthropic.com/engineering/building-effective-agents',
    snippet:
      'An agent is a model using tools in a loop, deciding its own steps. Start with the simplest workflow that works, add guardrails such as step limits and human approval for risky actions, and make every tool easy for the model to use correctly.',
  },
  {
    title: 'Human-in-the-loop approval for AI agents',
    url: 'https://example.org/blog/human-in-the-loop-agents',
    snippet:
      'Risky agent actions such as payments, deletions and outbound email should pause for a human decision. Persist the pending action, notify a reviewer, and resume the agent with the approval or the denial as the tool result.',
  },
  {
    title: 'Detecting loops in autonomous agents',
    url: 'https://example.org/blog/agent-loop-detection',
    snippet:
      'Agents sometimes repeat the same tool call with the same input. Keep a short window of call signatures per session; when one repeats too often, tell the model it is looping, and stop the session if it keeps going.',
  },
  {
    title: 'Idempotency keys for safe retries',
    url: 'https://example.org/blog/idempotency-keys',
    snippet:
      'A retried request may reach the server twice. An idempotency key sent with the request lets the server recognise the repeat and return the first result instead of charging a card or sending an email a second time.',
  },
  {
    title: 'Work queues versus pub/sub',
    url: 'https://example.org/blog/work-queues-vs-pubsub',
    snippet:
      'A work queue hands each job to exactly one consumer and keeps it until acknowledged; pub/sub delivers each message to every subscriber and forgets it. Background jobs and agent steps belong on a durable work queue.',
  },
  {
    title: 'Checkpointing long-running agent sessions',
    url: 'https://example.org/blog/agent-checkpoints',
    snippet:
      'Running one agent step per job and checkpointing the model response and tool results after each step lets a crashed worker resume a session where it stopped, without paying for the same model call twice.',
  },
  {
    title: 'Sandboxing file access for LLM tools',
    url: 'https://example.org/blog/sandboxing-file-tools',
    snippet:
      'File tools given to a model should accept only relative paths inside one folder. Refuse absolute paths, .. segments and NUL bytes, and resolve symbolic links before checking, so that a crafted path cannot read /etc/passwd.',
  },
];
