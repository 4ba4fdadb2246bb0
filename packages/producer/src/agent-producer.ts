import { randomBytes } from 'node:crypto';
import {
  inputText,
  AgentqError,
  type AgentEvent,
  AgentRegistry,
  createStores,
  openRedis,
  queueShards,
  type RedisConnection,
  shardCountFromEnv,
  dropApprovals,
  type HistoryEntry,
  isParked,
  sendMessage,
  type SendOptions,
  type SendOutcome,
  isTerminal,
  type Redis,
  type Session,
  type SessionResult,
  type SessionStatus,
  type StartSessionInput,
  enqueueStep,
  stepJob,
  addJobs,
  STEP_RETRY,
  stepJobId,
  type SchedulingMode,
  type StepJobSettings,
  type Stores,
  TenantControls,
  TenantScheduler,
  tenantOf,
  toSessionResult,
} from '@agentq/shared';
import { isCluster } from '@agentq/shared/internal';
import { type ConnectionOptions, Queue } from 'bullmq';
import { admitBatch } from './admission/admit-batch.js';
import { type InputCaps, resolveInputCaps } from './admission/input-caps.js';
import { BullMQOtel } from 'bullmq-otel';
import { ApprovalsApi } from './approvals/approvals-api.js';
import { createStreamToken, type LiveEvent, type StreamToken, type StreamTokenOptions, subscribeSession, type SubscribeOptions } from './live/index.js';
import { createFork, type ForkOptions } from './replay/fork-session.js';
import { buildTimeline, type Timeline } from './replay/timeline.js';
import { type ProducerShard, ShardRouter } from './shards/shard-router.js';
import { type CollectStatsOptions, collectStats } from './stats/collect-stats.js';
import type { Stats } from './stats/compute-stats.js';

export interface AgentProducerOptions {
  /**
   * Redis URL, `{ cluster: ['host:port', …] }` for a Redis Cluster, or an open ioredis connection (a `Cluster`
   * passed as one too).
   * @defaultValue REDIS_CLUSTER_NODES, else REDIS_URL, else redis://127.0.0.1:6379
   */
  connection?: RedisConnection;
  /** @defaultValue 'agentq' */
  queueName?: string;
  /**
   * Queue shards of the fleet (see queue-shards.ts): the same number as the workers'. A new session goes to
   * the shard a stable hash of its id picks, and stays there. @defaultValue AGENTQ_QUEUE_SHARDS, else 1
   */
  shards?: number;
  /** Prefix of agentq's own Redis keys. @defaultValue 'aq' */
  prefix?: string;
  /** Attempts of each step job before its session fails. @defaultValue 5 */
  stepAttempts?: number;
  /** Base of the exponential backoff between step attempts, in ms. @defaultValue 1000 */
  stepBackoffMs?: number;
  /** Size and shape limits on sessions started; see DEFAULT_INPUT_CAPS. @defaultValue DEFAULT_INPUT_CAPS */
  inputCaps?: Partial<InputCaps>;
  /**
   * Start sessions of agents no worker has published in the registry yet (fleets that start producers
   * before workers); their limits are then checked against the agent's ceilings by the worker alone.
   * @defaultValue false: an unregistered agent is refused with `unknown_agent`
   */
  allowUnregistered?: boolean;
  /** `fair`: step priorities from each tenant's backlog; `fifo`: arrival order. Match the workers. @defaultValue 'fair' */
  scheduling?: SchedulingMode;
  /**
   * BullMQ's OpenTelemetry spans (`bullmq-otel`) for the jobs this producer adds, through the globally registered
   * tracer provider (docs/tracing.md). @defaultValue false
   */
  tracing?: boolean;
}

export interface StartBatchOptions {
  /** Skip sessions whose id is already taken instead of refusing the batch. @defaultValue false (`start`: true) */
  skipExisting?: boolean;
  /** Overrides the producer's `allowUnregistered` for this call. */
  allowUnregistered?: boolean;
  /** How each input is named in errors (the CLI passes `file:line`). @defaultValue `session <index>` */
  labels?: readonly string[];
}

export interface WaitOptions {
  /** Give up after this long and throw. @defaultValue no limit */
  timeoutMs?: number;
  /** Also return when the session parks (for approval, or waiting for the user's input). @defaultValue false */
  untilParked?: boolean;
}

const BATCH_CHUNK = 500;

/** Starts agent sessions and reads, waits on, cancels and decides them. */
export class AgentProducer {
  /** Shard 0's queue (the only one unless the fleet runs several shards); {@link queues} lists every shard's. */
  readonly queue: Queue;
  /** Shard 0's stores; per-session keys and the fleet-wide keys (tenants, registry) are the same in every shard's. */
  readonly stores: Stores;
  /** Every shard, and which one a session is on. */
  readonly router: ShardRouter;
  /** Per-tenant budgets, weights, concurrency caps and rate-limit shares, stored in Redis and read by every worker. */
  readonly tenants: TenantControls;
  /** The agents this queue's workers have published. */
  readonly registry: AgentRegistry;
  /** Step priorities from each tenant's backlog. */
  readonly scheduler: TenantScheduler;
  readonly inputCaps: InputCaps;
  private readonly allowUnregistered: boolean;
  private readonly scheduling: SchedulingMode;
  /** Pending approvals of gated tool calls, and the decisions that resume their sessions. */
  readonly approvals: ApprovalsApi;
  private readonly ownsConnection: boolean;
  private readonly jobSettings: Required<StepJobSettings>;

  constructor(options: AgentProducerOptions = {}) {
    const { redis, owned } = openRedis(options.connection);
    this.ownsConnection = owned;
    const queueName = options.queueName ?? 'agentq';
    const prefix = options.prefix ?? 'aq';
    const telemetry = options.tracing ? { telemetry: new BullMQOtel() } : {};
    this.router = new ShardRouter(
      queueShards(queueName, { count: options.shards ?? shardCountFromEnv(), cluster: isCluster(redis) }).map((shard): ProducerShard => {
        const stores = createStores(redis, prefix, undefined, shard.tag);
        return {
          shard,
          stores,
          queue: new Queue(shard.queueName, { connection: redis as unknown as ConnectionOptions, ...telemetry }),
          // Tenant backlogs and caps are fleet-wide, counted under the base name whatever the shard.
          scheduler: new TenantScheduler(redis, stores.keys, queueName),
        };
      }),
    );
    this.stores = this.router.first.stores;
    this.queue = this.router.first.queue;
    this.tenants = new TenantControls(this.stores.redis, this.stores.keys);
    // The registry is the fleet's, under the queue's base name: every shard's workers publish there.
    this.registry = new AgentRegistry(this.stores.redis, this.stores.keys, queueName);
    this.scheduler = this.router.first.scheduler;
    this.inputCaps = resolveInputCaps(options.inputCaps);
    this.allowUnregistered = options.allowUnregistered ?? false;
    this.scheduling = options.scheduling ?? 'fair';
    this.jobSettings = { stepAttempts: options.stepAttempts ?? STEP_RETRY.attempts, stepBackoffMs: options.stepBackoffMs ?? STEP_RETRY.backoffMs };
    this.approvals = new ApprovalsApi(this.router, this.jobSettings);
  }

  /** Every shard's queue, in shard order. */
  get queues(): Queue[] {
    return this.router.shards.map((s) => s.queue);
  }

  get redis(): Redis {
    return this.stores.redis;
  }

  /** Starts one session; with a caller-chosen `sessionId` a repeated start is a no-op returning that id. */
  async start(input: StartSessionInput, options: Omit<StartBatchOptions, 'labels'> = {}): Promise<{ sessionId: string }> {
    const [result] = await this.startBatch([input], { skipExisting: true, ...options });
    return result as { sessionId: string };
  }

  /**
   * Starts many sessions in a few round trips; results come back in input order. The whole batch is checked
   * first (input caps, schema, repeated or taken ids, the agent registry, limits against the agent's
   * ceilings): one bad input refuses the batch with a typed error naming its line and field, and nothing
   * of it is queued.
   */
  async startBatch(inputs: readonly StartSessionInput[], options: StartBatchOptions = {}): Promise<Array<{ sessionId: string }>> {
    const admitted = await admitBatch(inputs, {
      caps: this.inputCaps,
      stores: this.stores,
      registry: this.registry,
      allowUnregistered: options.allowUnregistered ?? this.allowUnregistered,
      skipExisting: options.skipExisting ?? false,
      labels: options.labels,
    });
    const out: Array<{ sessionId: string }> = [];
    for (let offset = 0; offset < admitted.length; offset += BATCH_CHUNK) {
      const chunk = admitted.slice(offset, offset + BATCH_CHUNK);
      const now = Date.now();
      const sessions: Session[] = chunk.map(({ input }) =>
        withShard(this.router, {
          sessionId: input.sessionId ?? newSessionId(),
          agent: input.agent,
          status: 'queued',
          step: 0,
          // The session record keeps the task's text; history entry 0 keeps it as sent (blocks included).
          input: inputText(input.input),
          ...(input.tenant ? { tenant: input.tenant } : {}),
          ...(input.urgency ? { urgency: input.urgency } : {}),
          metadata: input.metadata ?? {},
          limits: input.limits ?? {},
          createdAt: now,
          updatedAt: now,
          usage: { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, costUsd: 0 },
        }),
      );
      const kept = sessions.flatMap((session, i) => (chunk[i]?.skip ? [] : [{ session, sent: chunk[i]?.input.input ?? session.input }]));
      // Each shard's sessions go into its own session index and queue.
      await Promise.all(
        this.router.shards.map(async (shard) => {
          const mine = kept.filter((k) => (k.session.shard ?? 0) === shard.shard.index);
          if (mine.length === 0) return;
          const toCreate = mine.map((k) => k.session);
          const created = await shard.stores.sessions.createMany(
            toCreate,
            mine.map((k) => [{ step: 0, message: { role: 'user', content: k.sent } }] satisfies HistoryEntry[]),
          );
          await this.enqueueFirstSteps(
            shard,
            toCreate.filter((_, i) => created[i]),
          );
        }),
      );
      out.push(...sessions.map((s) => ({ sessionId: s.sessionId })));
    }
    return out;
  }

  /** Queues step 0 of one shard's new sessions, each with the priority its tenant's backlog gives it. */
  private async enqueueFirstSteps(shard: ProducerShard, sessions: Session[]): Promise<void> {
    const byTenant = new Map<string, Session[]>();
    for (const s of sessions) {
      const group = byTenant.get(tenantOf(s));
      if (group) group.push(s);
      else byTenant.set(tenantOf(s), [s]);
    }
    const jobs = (
      await Promise.all(
        [...byTenant].map(async ([tenant, group]) => {
          const jobIds = group.map((s) => stepJobId(s.sessionId, 0));
          const priorities = this.scheduling === 'fair' ? await shard.scheduler.schedule(tenant, jobIds) : [];
          if (this.scheduling === 'fifo') await Promise.all(jobIds.map((id) => shard.scheduler.noteQueued(tenant, id)));
          return group.map((s, i) => stepJob(s.sessionId, 0, this.jobSettings, { tenant, ...(priorities[i] ? { priority: priorities[i] } : {}) }));
        }),
      )
    ).flat();
    if (jobs.length > 0) await addJobs(shard.queue, jobs);
  }

  async get(sessionId: string): Promise<Session | undefined> {
    return this.stores.sessions.get(sessionId);
  }

  /** The session's result once terminal (or parked, with `untilParked`). */
  async wait(sessionId: string, options: WaitOptions = {}): Promise<SessionResult> {
    const deadline = options.timeoutMs === undefined ? Number.POSITIVE_INFINITY : Date.now() + options.timeoutMs;
    let delay = 20;
    for (;;) {
      const session = await this.get(sessionId);
      if (!session) throw new AgentqError('session_not_found', `no session ${sessionId}`);
      if (isTerminal(session.status) || (options.untilParked && isParked(session.status))) return toSessionResult(session);
      if (Date.now() >= deadline) throw new AgentqError('internal', `session ${sessionId} still ${session.status} after ${options.timeoutMs}ms`);
      await new Promise((resolve) => setTimeout(resolve, Math.min(delay, Math.max(1, deadline - Date.now()))));
      delay = Math.min(delay * 2, 500);
    }
  }

  /** Waits for many sessions; results in input order. */
  async waitAll(sessionIds: string[], options: WaitOptions & { onProgress?: (done: number) => void } = {}): Promise<SessionResult[]> {
    const deadline = options.timeoutMs === undefined ? Number.POSITIVE_INFINITY : Date.now() + options.timeoutMs;
    const results = new Map<string, SessionResult>();
    let delay = 50;
    while (results.size < sessionIds.length) {
      const pending = sessionIds.filter((id) => !results.has(id));
      for (let i = 0; i < pending.length; i += 1000) {
        const slice = pending.slice(i, i + 1000);
        const sessions = await this.stores.sessions.getMany(slice);
        sessions.forEach((session, j) => {
          if (!session) throw new AgentqError('session_not_found', `no session ${slice[j]}`);
          if (isTerminal(session.status) || (options.untilParked && isParked(session.status))) {
            results.set(session.sessionId, toSessionResult(session));
          }
        });
      }
      options.onProgress?.(results.size);
      if (results.size === sessionIds.length) break;
      if (Date.now() >= deadline) throw new AgentqError('internal', `${sessionIds.length - results.size} sessions not finished after ${options.timeoutMs}ms`);
      await new Promise((resolve) => setTimeout(resolve, delay));
      delay = Math.min(delay * 2, 500);
    }
    return sessionIds.map((id) => results.get(id) as SessionResult);
  }

  /**
   * Stops a session at its next step boundary. A parked session is cancelled at once; a waiting or delayed
   * step is brought forward so the cancel is seen now. Returns the status the session has after the call.
   */
  async cancel(sessionId: string): Promise<SessionStatus | 'cancel_requested'> {
    const { stores, queue } = await this.router.forSession(sessionId);
    const result = await stores.sessions.requestCancel(sessionId);
    if (!result) throw new AgentqError('session_not_found', `no session ${sessionId}`);
    if (result === 'cancelled') {
      // A parked session has nothing left to decide: its pending approvals are dropped.
      await dropApprovals(stores, sessionId, 'session cancelled');
      await stores.events.append({
        sessionId,
        step: (await this.get(sessionId))?.step ?? 0,
        type: 'session_cancelled',
        data: { reason: 'cancelled by request' },
      });
      return 'cancelled';
    }
    if (result !== 'cancel_requested') return result as SessionStatus;
    // A step waiting out a backoff or a tool's rate limit is brought forward so the cancel lands now. Its job
    // is the step's own id or the one last noted (a resume or a deferral): no queue scan.
    const session = await this.get(sessionId);
    if (session) {
      const noted = await this.stores.sessions.notedJob(sessionId);
      for (const jobId of new Set([stepJobId(sessionId, session.step), ...(noted ? [noted] : [])])) {
        const job = await queue.getJob(jobId);
        if (job && (await job.isDelayed())) await job.promote().catch(() => undefined);
      }
    }
    return 'cancel_requested';
  }

  async events(sessionId: string): Promise<AgentEvent[]> {
    return this.stores.events.forSession(sessionId);
  }

  /**
   * The session's events as they happen, as an async iterator: each event once, in order, resuming after
   * `from` (an event id, e.g. an SSE `Last-Event-ID`); with `deltas`, also the text of streaming model calls.
   * Ends after the event that ends the session unless `follow` is set.
   *
   * ```ts
   * for await (const event of producer.subscribe(sessionId, { from: lastSeenId })) console.log(event.id, event.type);
   * ```
   */
  subscribe(sessionId: string, options: SubscribeOptions = {}): AsyncGenerator<LiveEvent, void, undefined> {
    return subscribeSession(this.stores, sessionId, options);
  }

  /**
   * Sends a user's message: the answer to the session's open `ask_human` question, or — for a session that
   * has completed — a new turn that continues it with all its memory. Throws `session_not_waiting` for a
   * session that is mid-turn or ended otherwise.
   */
  async send(sessionId: string, message: string, options: SendOptions = {}): Promise<SendOutcome> {
    const { stores, queue } = await this.router.forSession(sessionId);
    return sendMessage(stores, queue, sessionId, message, options, this.jobSettings);
  }

  /**
   * A scoped, expiring, read-only token for `GET /api/sessions/:id/stream` of this one session, for a backend
   * to hand to a browser instead of the dashboard's credentials.
   */
  async streamToken(sessionId: string, options: StreamTokenOptions = {}): Promise<StreamToken> {
    return createStreamToken(this.stores, sessionId, options);
  }

  async history(sessionId: string): Promise<HistoryEntry[]> {
    return this.stores.sessions.history(sessionId);
  }

  /** Sessions, newest first, optionally only those with one status. */
  async list(options: { status?: SessionStatus; agent?: string; tenant?: string; limit?: number } = {}): Promise<Session[]> {
    const limit = options.limit ?? 100;
    const out: Session[] = [];
    const page = 500;
    // Every shard's index, merged newest first, read a page of records at a time.
    const ids = this.router.sessionIds(page);
    let done = false;
    while (out.length < limit && !done) {
      const batch: string[] = [];
      while (batch.length < page) {
        const next = await ids.next();
        if (next.done) {
          done = true;
          break;
        }
        batch.push(next.value);
      }
      if (batch.length === 0) break;
      const sessions = await this.stores.sessions.getMany(batch);
      for (const s of sessions) {
        if (!s) continue;
        if (options.status && s.status !== options.status) continue;
        if (options.agent && s.agent !== options.agent) continue;
        if (options.tenant && s.tenant !== options.tenant) continue;
        out.push(s);
        if (out.length >= limit) break;
      }
    }
    await ids.return();
    return out;
  }

  /** A session's step-by-step timeline (model calls, tool calls, decisions, final state) from its events. */
  async timeline(sessionId: string): Promise<Timeline> {
    const session = await this.get(sessionId);
    if (!session) throw new AgentqError('session_not_found', `no session ${sessionId}`);
    return buildTimeline(session, await this.events(sessionId));
  }

  /**
   * Starts a new session that continues `sourceId` from step `fromStep` (optionally with another agent): the
   * history before that step is copied and step `fromStep` runs again.
   */
  async fork(sourceId: string, options: ForkOptions): Promise<{ sessionId: string }> {
    const forkId = options.sessionId ?? newSessionId();
    const shard = this.router.forNew(forkId);
    const session = await createFork(shard.stores, sourceId, forkId, options, this.router.recordsShard ? shard.shard.index : undefined);
    await enqueueStep(shard.queue, session.sessionId, session.step, this.jobSettings);
    return { sessionId: session.sessionId };
  }

  /** Per-tool, per-agent, loop, approval and rate-limit numbers from every shard's global event stream. */
  async stats(options: CollectStatsOptions): Promise<Stats> {
    return collectStats(
      this.router.shards.map((s) => s.stores),
      options,
    );
  }

  async close(): Promise<void> {
    await Promise.all(this.queues.map((q) => q.close()));
    if (this.ownsConnection) await this.stores.redis.quit().catch(() => this.stores.redis.disconnect());
  }
}

/** Puts a new session on its shard, recording the shard when the fleet has more than the unsharded one. */
function withShard(router: ShardRouter, session: Session): Session {
  return router.recordsShard ? { ...session, shard: router.forNew(session.sessionId).shard.index } : session;
}

/** Session ids: URL-safe, never all digits, no `:` (BullMQ job ids embed them). */
export function newSessionId(): string {
  return `ses_${randomBytes(12).toString('base64url')}`;
}
