/**
 * The Redis key layout. Per-session keys share the hash tag `{<sessionId>}` so that every multi-key script
 * touching one session stays in one cluster slot. BullMQ's own keys live under its `prefix`, apart.
 */
export class Keys {
  /**
   * @param shardTag The hash tag of one queue shard (see queue-shards.ts): the keys every step of that
   * shard's sessions writes (global events, session index, pending approvals) carry it, so each shard's
   * hot keys sit in its queue's slot. Absent: the unsharded names of a single-queue deployment.
   */
  constructor(
    readonly prefix: string = 'aq',
    readonly shardTag?: string,
  ) {}

  /** Where a shard's global keys go: `<prefix>:{<tag>}` (one slot with its BullMQ queue), or `<prefix>`. */
  private g(): string {
    return this.shardTag === undefined ? this.prefix : `${this.prefix}:{${this.shardTag}}`;
  }

  private s(sessionId: string): string {
    return `${this.prefix}:s:{${sessionId}}`;
  }
  /** Hash: the session record (see session-store.ts for fields). */
  session(sessionId: string): string {
    return this.s(sessionId);
  }
  /** List: the full message history, one JSON `{ step, message }` per entry. */
  history(sessionId: string): string {
    return `${this.s(sessionId)}:history`;
  }
  /** Hash: step checkpoints: model response, tool results, attempt marks, usage-counted flag. */
  checkpoint(sessionId: string, step: number): string {
    return `${this.s(sessionId)}:ckpt:${step}`;
  }
  /** Hash: rolling summary of messages that left the working-memory window. */
  memory(sessionId: string): string {
    return `${this.s(sessionId)}:memory`;
  }
  /**
   * Hash: loop-detector state: the window of recent call signatures, strikes, cached verdicts per tool_use id,
   * error streaks per tool.
   */
  loopState(sessionId: string): string {
    return `${this.s(sessionId)}:loop:state`;
  }
  /** Stream: this session's events. */
  sessionEvents(sessionId: string): string {
    return `${this.s(sessionId)}:events`;
  }
  /**
   * Stream: the session's text deltas while a streaming model call runs. Not durable: capped short and
   * expiring; the model's full answer is in the events and the history.
   */
  sessionDeltas(sessionId: string): string {
    return `${this.s(sessionId)}:deltas`;
  }
  /** String: the session id a read-only stream token (stored as its sha256) may read; expires with it. */
  streamToken(tokenHash: string): string {
    return `${this.prefix}:stream-token:${tokenHash}`;
  }
  /** Hash: the session's `ask_human` questions, by tool_use id (JSON: question, step, askedAt, expiresAt, answer…). */
  questions(sessionId: string): string {
    return `${this.s(sessionId)}:questions`;
  }
  /** String: the MCP tool list this session discovered once (JSON), so retries and replays see the same tools. */
  mcpTools(sessionId: string): string {
    return `${this.s(sessionId)}:mcp-tools`;
  }
  /** Set: ids of this session's pending approvals. */
  sessionApprovals(sessionId: string): string {
    return `${this.s(sessionId)}:approvals`;
  }
  /** Hash: one approval record. Tagged with its session so it moves with it. */
  approval(sessionId: string, approvalId: string): string {
    return `${this.s(sessionId)}:approval:${approvalId}`;
  }
  /** String: how often the reconciler repaired this session today (expires). */
  repairs(sessionId: string): string {
    return `${this.s(sessionId)}:repairs`;
  }
  /** Sorted set: every session id of this shard, scored by creation time. */
  sessionIndex(): string {
    return `${this.g()}:sessions`;
  }
  /** Sorted set: this shard's pending approval ids (`<sessionId>|<approvalId>`), scored by expiry. */
  pendingApprovals(): string {
    return `${this.g()}:approvals:pending`;
  }
  /** Stream: the events of every session of this shard, capped. */
  globalEvents(): string {
    return `${this.g()}:events`;
  }
  /**
   * Sorted set: ids of events recently copied from checkpoint outboxes to the global stream, so a copy is
   * never made twice. It shares the global stream's slot (see publishEvents-2.lua): unsharded, its hash tag
   * is the stream's whole name; on a shard, both carry the shard's tag.
   */
  publishedEvents(): string {
    return this.shardTag === undefined ? `{${this.globalEvents()}}:published` : `${this.globalEvents()}:published`;
  }
  /** Hash: a tenant's usage on one UTC day. */
  tenantUsage(tenant: string, day: string): string {
    return `${this.prefix}:tenant:{${tenant}}:usage:${day}`;
  }
  /** Sorted set: a tenant's open model-call reservations on one UTC day, scored by expiry (amounts in tenantUsage). */
  tenantReservations(tenant: string, day: string): string {
    return `${this.prefix}:tenant:{${tenant}}:resv:${day}`;
  }
  /** Hash: a tenant's daily budget (`dailyTokens`, `dailyCostMicroUsd`), set at run time by an operator. */
  tenantBudget(tenant: string): string {
    return `${this.prefix}:tenant:{${tenant}}:budget`;
  }
  /** Hash: the rate-limit governor's buckets for one API key hash and model family. */
  governor(bucketId: string): string {
    return `${this.prefix}:gov:{${bucketId}}`;
  }
  /** Hash: a tool's circuit-breaker state, shared by the fleet. */
  breaker(tool: string): string {
    return `${this.prefix}:breaker:{${tool}}`;
  }
  /** Sorted set: a tool's recent failure times (the breaker's sliding window), beside its breaker hash. */
  breakerFailures(tool: string): string {
    return `${this.prefix}:breaker:{${tool}}:failures`;
  }
  /**
   * The batch lane of one queue, under the tag `{batch:<queue>}` so its scripts stay in one slot:
   * `pending` (sorted set of parked custom_ids), `calls` (hash custom_id -> call), `claims` (sorted set of
   * open claims), `claim:<id>` and `batch:<id>` (lists of custom_ids), `inflight` (sorted set of submitted
   * batch ids), `seen` (sorted set of every batch id recorded).
   */
  batchLane(queue: string, part: 'pending' | 'calls' | 'claims' | 'inflight' | 'seen' | `claim:${string}` | `batch:${string}`): string {
    return `${this.prefix}:batch:{${queue}}:${part}`;
  }
  /** String: a dashboard login session revoked by logout, kept until the cookie would have expired. */
  dashboardRevoked(sessionId: string): string {
    return `${this.prefix}:dash:revoked:${sessionId}`;
  }
  /** String: failed dashboard logins from one client address in the current throttle window. */
  loginFailures(client: string): string {
    return `${this.prefix}:dash:login-failures:${client}`;
  }
  /** Hash: the agents a queue's workers serve, field `<agent>|<definition hash>` = the published definition (JSON). */
  registryDefinitions(queueName: string): string {
    return `${this.prefix}:registry:{${queueName}}:defs`;
  }
  /** Hash: which worker serves which agent, field `<workerId>|<agent>` = `{ hash, seenAt }` (JSON). */
  registryWorkers(queueName: string): string {
    return `${this.prefix}:registry:{${queueName}}:workers`;
  }
  /** Hash: a tenant's scheduling settings (`weight`, `maxConcurrency`, `share`), set at run time by an operator. */
  tenantSettings(tenant: string): string {
    return `${this.prefix}:tenant:{${tenant}}:sched`;
  }
  /** Set: every tenant with scheduling settings, for `agentq tenants`. */
  tenantIndex(): string {
    return `${this.prefix}:tenants`;
  }
  /** Sorted set: a tenant's step jobs waiting in one queue (member job id, score = enqueue time): its backlog. */
  tenantBacklog(queueName: string, tenant: string): string {
    return `${this.prefix}:tenant:{${tenant}}:backlog:${queueName}`;
  }
  /** Sorted set: a tenant's steps running now in one queue (member job id, score = lease expiry ms). */
  tenantRunning(queueName: string, tenant: string): string {
    return `${this.prefix}:tenant:{${tenant}}:running:${queueName}`;
  }
  /** Hash: records of the demo's `delete_record` tool and the like. */
  appData(name: string): string {
    return `${this.prefix}:app:${name}`;
  }
}
