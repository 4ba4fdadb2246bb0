import type { Redis } from 'ioredis';
import type { Keys } from '../redis/keys.js';
import { runScript } from '../redis/scripts.js';
import type { HistoryEntry } from '../schemas/messages.js';
import { Question } from './question.js';

export type SendResult =
  | { kind: 'not_found' }
  | { kind: 'refused'; status: string }
  | { kind: 'answered'; toolUseId: string; remaining: number }
  | { kind: 'resumed'; resumeSuffix: string; step: number; toolUseId: string }
  | { kind: 'continued'; resumeSuffix: string; step: number };

export type AwaitInputResult = { kind: 'parked' } | { kind: 'stale' } | { kind: 'cancel_requested' } | { kind: 'resume'; resumeSuffix: string };

/**
 * A session's `ask_human` questions, one hash per session keyed by tool_use id, and the two transitions
 * that use them: parking a step for input and delivering a user's message. Both are one script each.
 */
export class QuestionStore {
  constructor(
    readonly redis: Redis,
    readonly keys: Keys,
  ) {}

  /** Stores the question unless it exists; returns the one stored. */
  async ask(sessionId: string, question: Question): Promise<Question> {
    const key = this.keys.questions(sessionId);
    await this.redis.hsetnx(key, question.toolUseId, JSON.stringify(question));
    return (await this.get(sessionId, question.toolUseId)) as Question;
  }

  async get(sessionId: string, toolUseId: string): Promise<Question | undefined> {
    const raw = await this.redis.hget(this.keys.questions(sessionId), toolUseId);
    return raw ? Question.parse(JSON.parse(raw)) : undefined;
  }

  /** Every question of the session, oldest first. */
  async list(sessionId: string): Promise<Question[]> {
    const all = await this.redis.hvals(this.keys.questions(sessionId));
    return all.map((raw) => Question.parse(JSON.parse(raw))).sort((a, b) => a.askedAt - b.askedAt);
  }

  /** Parks the session at `step` for its open questions, unless they were all answered meanwhile. */
  async awaitInput(sessionId: string, step: number): Promise<AwaitInputResult> {
    const reply = await runScript<number[]>(this.redis, 'awaitInput', [this.keys.session(sessionId), this.keys.questions(sessionId)], [step, Date.now()]);
    switch (reply[0]) {
      case 1:
        return { kind: 'parked' };
      case 2:
        return { kind: 'resume', resumeSuffix: `i${reply[1]}` };
      case 3:
        return { kind: 'cancel_requested' };
      default:
        return { kind: 'stale' };
    }
  }

  /**
   * Delivers a message: the answer to the oldest open question (or to `toolUseId`), else a new user turn of a
   * session that finished its turn. The caller enqueues the step job the result names.
   */
  async send(sessionId: string, text: string, options: { by: string; toolUseId?: string; now?: number }): Promise<SendResult> {
    const entry: HistoryEntry = { step: 0, message: { role: 'user', content: text } };
    const reply = await runScript<Array<string | number>>(
      this.redis,
      'sendMessage',
      [this.keys.session(sessionId), this.keys.questions(sessionId), this.keys.history(sessionId)],
      [options.now ?? Date.now(), text, options.by, JSON.stringify(entry), options.toolUseId ?? ''],
    );
    const [kind, a, b, c] = reply.map(String);
    switch (kind) {
      case 'refused':
        return { kind: 'refused', status: a as string };
      case 'answered':
        return { kind: 'answered', toolUseId: a as string, remaining: Number(b) };
      case 'resumed':
        return { kind: 'resumed', resumeSuffix: `i${a}`, step: Number(b), toolUseId: c as string };
      case 'continued':
        return { kind: 'continued', resumeSuffix: `c${a}`, step: Number(b) };
      default:
        return { kind: 'not_found' };
    }
  }
}
