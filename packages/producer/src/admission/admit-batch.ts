import {
  AgentqError,
  type AgentRegistry,
  type ErrorCode,
  limitViolations,
  type PublishedAgent,
  StartSessionInput,
  type Stores,
  unstorableJson,
} from '@agentq/shared';
import { pipelineBySlot } from '@agentq/shared/internal';
import type { z } from 'zod';
import { capViolation, type InputCaps } from './input-caps.js';

export type ParsedStartInput = z.output<typeof StartSessionInput>;

/** One line of a batch that cannot be queued. */
export interface AdmissionProblem {
  /** Position in the batch. */
  index: number;
  /** How the line is named in messages: `file:line` from the CLI, `session <i>` otherwise. */
  label: string;
  code: ErrorCode;
  /** The field at fault (`input`, `metadata`, `limits.maxAutoRisk`, `agent`, `sessionId`, …). */
  field: string;
  message: string;
}

export interface AdmitOptions {
  caps: InputCaps;
  stores: Stores;
  registry: AgentRegistry;
  /** Accept agents no worker has published (fleets that start producers first); limits are then checked by the worker alone. */
  allowUnregistered: boolean;
  /** A session id already taken is skipped instead of refused. */
  skipExisting: boolean;
  labels?: readonly string[] | undefined;
}

/** A line that passed: its parsed input, and whether it is skipped because its id is taken. */
export interface AdmittedInput {
  input: ParsedStartInput;
  skip: boolean;
}

const MAX_LISTED = 20;

/**
 * Checks a whole batch before anything of it is written: caps (before parsing, so a hostile shape costs
 * nothing), the schema, session ids repeated in the batch or already taken, the agent against the registry,
 * and the session's limits against the agent's ceilings. Any problem refuses the batch with every problem
 * listed (up to 20) in one typed error whose `details.problems` names each line and field.
 */
export async function admitBatch(raw: readonly unknown[], options: AdmitOptions): Promise<AdmittedInput[]> {
  const label = (i: number) => options.labels?.[i] ?? `session ${i}`;
  if (raw.length > options.caps.maxSessionsPerBatch) {
    throw new AgentqError('invalid_payload', `batch of ${raw.length} sessions, over the cap of ${options.caps.maxSessionsPerBatch} per batch`, {
      details: { field: 'batch', sessions: raw.length, cap: options.caps.maxSessionsPerBatch },
    });
  }
  const problems: AdmissionProblem[] = [];
  const add = (index: number, code: ErrorCode, field: string, message: string) => problems.push({ index, label: label(index), code, field, message });
  const parsed: Array<ParsedStartInput | undefined> = raw.map((item, index) => {
    const capped = capViolation(item, options.caps);
    if (capped) {
      add(index, 'invalid_payload', capped.field, capped.message);
      return undefined;
    }
    const result = StartSessionInput.safeParse(item);
    if (!result.success) {
      const issue = result.error.issues[0];
      add(
        index,
        'invalid_payload',
        issue?.path.join('.') || '(input)',
        result.error.issues.map((i) => `${i.path.join('.') || '(input)'}: ${i.message}`).join('; '),
      );
      return undefined;
    }
    // Values JSON cannot store faithfully (BigInt, cycles, too deep) are refused here, not at the worker.
    const unstorable = unstorableJson(result.data.metadata);
    if (unstorable) {
      add(index, 'invalid_payload', 'metadata', `metadata: ${unstorable}`);
      return undefined;
    }
    return result.data;
  });

  const firstLine = new Map<string, number>();
  parsed.forEach((input, index) => {
    if (!input?.sessionId) return;
    const seen = firstLine.get(input.sessionId);
    if (seen === undefined) firstLine.set(input.sessionId, index);
    else add(index, 'invalid_payload', 'sessionId', `"${input.sessionId}" is used twice in this batch (first by ${label(seen)})`);
  });

  const names = [...new Set(parsed.flatMap((p) => (p ? [p.agent] : [])))];
  const definitions = new Map<string, PublishedAgent[]>();
  if (names.length > 0) {
    const now = Date.now();
    for (const name of names) definitions.set(name, await options.registry.definitionsFor(name, now));
  }
  parsed.forEach((input, index) => {
    if (!input) return;
    const defs = definitions.get(input.agent) ?? [];
    if (defs.length === 0) {
      if (!options.allowUnregistered) {
        add(
          index,
          'unknown_agent',
          'agent',
          `no worker on queue "${options.registry.queueName}" has published an agent named "${input.agent}" (start a worker first, or allow unregistered agents)`,
        );
      }
      return;
    }
    for (const def of defs) {
      const [violation] = limitViolations(input.limits, def.ceiling);
      if (violation) {
        add(
          index,
          'limits_exceed_agent',
          `limits.${violation.field}`,
          `${JSON.stringify(violation.requested)} goes past agent "${def.name}"'s ceiling ${JSON.stringify(violation.ceiling ?? null)}`,
        );
        break;
      }
    }
  });

  const withIds = parsed.flatMap((input, index) => (input?.sessionId ? [{ index, id: input.sessionId }] : []));
  const taken = new Set<number>();
  if (withIds.length > 0) {
    const key = ({ id }: { id: string }) => options.stores.keys.session(id);
    const replies = await pipelineBySlot<(typeof withIds)[number], number>(options.stores.redis, withIds, key, (pipeline, entry) =>
      pipeline.exists(key(entry)),
    );
    withIds.forEach(({ index, id }, i) => {
      if (replies[i]?.[1] !== 1) return;
      taken.add(index);
      if (!options.skipExisting) add(index, 'session_exists', 'sessionId', `session "${id}" already exists (skip existing sessions to ignore it)`);
    });
  }

  if (problems.length > 0) {
    problems.sort((a, b) => a.index - b.index);
    const listed = problems.slice(0, MAX_LISTED).map((p) => `${p.label}: ${p.field}: ${p.message}`);
    if (problems.length > MAX_LISTED) listed.push(`… and ${problems.length - MAX_LISTED} more`);
    const first = problems[0] as AdmissionProblem;
    throw new AgentqError(first.code, `nothing queued: ${listed.join('\n')}`, { details: { field: first.field, index: first.index, problems } });
  }
  return parsed.map((input, index) => ({ input: input as ParsedStartInput, skip: taken.has(index) }));
}
