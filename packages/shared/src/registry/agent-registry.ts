import type { Redis } from 'ioredis';
import type { Agent } from '../define/define-agent.js';
import type { Risk } from '../define/risk.js';
import { canonicalJson, sha256Hex } from '../loop/canonical-json.js';
import type { Keys } from '../redis/keys.js';
import type { Limits, LimitsInput } from '../schemas/limits.js';

/** What a worker publishes about one agent it serves. */
export interface PublishedAgent {
  name: string;
  /** sha256 (first 16 hex digits) of the canonical definition: two workers with the same hash run the same agent. */
  hash: string;
  model: string;
  limits: LimitsInput;
  /** The most a session may ask for. */
  ceiling: Limits;
  tools: Array<{ name: string; risk: Risk; idempotent: boolean }>;
  publishedAt: number;
}

/** One agent as the fleet serves it: its published definitions and the workers serving each. */
export interface RegisteredAgent {
  name: string;
  definitions: Array<PublishedAgent & { workers: Array<{ id: string; seenAt: number; live: boolean }> }>;
}

/** A worker that has not refreshed its entry for this long no longer counts as serving. @defaultValue 30000 */
export const REGISTRY_LIVE_MS = 30_000;
/** How often a worker refreshes its registry entries. */
export const REGISTRY_HEARTBEAT_MS = 10_000;

/** The published form of an agent (no code, no system prompt: the hash stands for them). */
export function describeAgent(agent: Agent, now = Date.now()): PublishedAgent {
  const tools = [...agent.tools.values()].map((t) => ({ name: t.name, risk: t.risk, idempotent: t.idempotent }));
  const hashed = {
    name: agent.name,
    model: agent.model,
    system: agent.system,
    limits: agent.limits,
    ceiling: agent.ceiling,
    tools: [...agent.tools.values()].map((t) => ({ name: t.name, description: t.description, risk: t.risk, idempotent: t.idempotent, input: t.inputSchema })),
  };
  return {
    name: agent.name,
    hash: sha256Hex(canonicalJson(hashed)).slice(0, 16),
    model: agent.model,
    limits: agent.limits,
    ceiling: agent.ceiling,
    tools,
    publishedAt: now,
  };
}

/**
 * The agent registry of one queue, in Redis: workers publish the agents they serve when they start and
 * refresh their entries while they run; producers validate sessions against it before anything is queued.
 * Definitions outlive their workers (a fleet restarting must not make its agents unknown); worker entries
 * are removed on close and count as live only while refreshed.
 */
export class AgentRegistry {
  constructor(
    readonly redis: Redis,
    readonly keys: Keys,
    readonly queueName: string,
  ) {}

  /** Publishes (or refreshes) the agents one worker serves. */
  async publish(workerId: string, agents: Iterable<Agent>): Promise<void> {
    const now = Date.now();
    const defs: Record<string, string> = {};
    const workers: Record<string, string> = {};
    for (const agent of agents) {
      const published = describeAgent(agent, now);
      defs[`${published.name}|${published.hash}`] = JSON.stringify(published);
      workers[`${workerId}|${published.name}`] = JSON.stringify({ hash: published.hash, seenAt: now });
    }
    if (Object.keys(defs).length === 0) return;
    await this.redis.pipeline().hset(this.keys.registryDefinitions(this.queueName), defs).hset(this.keys.registryWorkers(this.queueName), workers).exec();
  }

  /** Removes a worker's entries (its definitions stay). */
  async unpublish(workerId: string, agentNames: Iterable<string>): Promise<void> {
    const fields = [...agentNames].map((name) => `${workerId}|${name}`);
    if (fields.length > 0) await this.redis.hdel(this.keys.registryWorkers(this.queueName), ...fields);
  }

  /** Every agent published on this queue, by name. */
  async list(now = Date.now()): Promise<RegisteredAgent[]> {
    const [defs, workers] = await Promise.all([
      this.redis.hgetall(this.keys.registryDefinitions(this.queueName)),
      this.redis.hgetall(this.keys.registryWorkers(this.queueName)),
    ]);
    const byName = new Map<string, RegisteredAgent>();
    for (const raw of Object.values(defs)) {
      const def = JSON.parse(raw) as PublishedAgent;
      const entry = byName.get(def.name) ?? { name: def.name, definitions: [] };
      entry.definitions.push({ ...def, workers: [] });
      byName.set(def.name, entry);
    }
    for (const [field, raw] of Object.entries(workers)) {
      const cut = field.lastIndexOf('|');
      const [id, name] = [field.slice(0, cut), field.slice(cut + 1)];
      const { hash, seenAt } = JSON.parse(raw) as { hash: string; seenAt: number };
      byName
        .get(name)
        ?.definitions.find((d) => d.hash === hash)
        ?.workers.push({ id, seenAt, live: now - seenAt <= REGISTRY_LIVE_MS });
    }
    const out = [...byName.values()].sort((a, b) => (a.name < b.name ? -1 : 1));
    for (const agent of out) agent.definitions.sort((a, b) => b.publishedAt - a.publishedAt);
    return out;
  }

  /**
   * The definitions a new session of `name` must satisfy: every one a live worker serves (a mixed fleet
   * may run it on any of them), or, with none live, the newest published. Empty = not registered.
   */
  async definitionsFor(name: string, now = Date.now()): Promise<PublishedAgent[]> {
    const agent = (await this.list(now)).find((a) => a.name === name);
    if (!agent) return [];
    const live = agent.definitions.filter((d) => d.workers.some((w) => w.live));
    return live.length > 0 ? live : agent.definitions.slice(0, 1);
  }
}
