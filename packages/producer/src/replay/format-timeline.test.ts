import { describe, expect, it } from 'vitest';
import { formatTimeline } from './format-timeline.js';
import type { Timeline } from './timeline.js';

const T0 = Date.parse('2026-01-01T10:00:00.000Z');

function timeline(): Timeline {
  return {
    sessionId: 'ses_x',
    agent: 'demo',
    tenant: null,
    forkedFrom: null,
    createdAt: T0,
    updatedAt: T0 + 5000,
    events: 6,
    final: {
      status: 'completed',
      steps: 2,
      output: 'done',
      error: null,
      usage: { inputTokens: 1, outputTokens: 1, cacheReadTokens: 0, cacheWriteTokens: 0, costUsd: 0 },
    },
    steps: [
      {
        step: 0,
        startedAt: T0,
        durationMs: 4000,
        attempts: 2,
        model: { model: 'm', latencyMs: 10, stopReason: 'tool_use', at: T0 + 100 },
        // The tool ran after the approval that let it run.
        tools: [{ toolUseId: 't1', tool: 'send_email', input: {}, result: 'sent', isError: false, ran: true, at: T0 + 3000 }],
        decisions: [
          {
            type: 'approval_requested',
            at: T0 + 200,
            data: {
              approvalId: 'a1',
              tool: 'send_email',
              toolUseId: 't1',
              risk: 'medium',
              maxAutoRisk: 'low',
              input: {},
              requestedAt: T0 + 200,
              expiresAt: T0 + 60_000,
            },
          },
          {
            type: 'approval_decided',
            at: T0 + 2000,
            data: { approvalId: 'a1', tool: 'send_email', toolUseId: 't1', decision: 'approved', by: 'alice', reason: null, decidedAt: T0 + 2000 },
          },
        ],
      },
      { step: 1, startedAt: T0 + 4000, durationMs: 0, attempts: 1, tools: [], decisions: [] },
    ],
  };
}

describe('formatTimeline', () => {
  // `agentq replay` printed a step's tool calls before its decisions, whatever their times.
  it('prints the rows of a step in time order, the step number on its first row only', () => {
    const rows = formatTimeline(timeline())
      .split('\n')
      .filter((l) => /^\d*\s+\d\d:\d\d:\d\d\.\d{3}/.test(l));
    expect(
      rows.map((r) =>
        r
          .split(/\s{2,}/)
          .slice(0, 3)
          .join(' | '),
      ),
    ).toEqual([
      '0 | 10:00:00.000 | attempts',
      ' | 10:00:00.100 | model',
      ' | 10:00:00.200 | approval_requested',
      ' | 10:00:02.000 | approval_decided',
      ' | 10:00:03.000 | tool send_email',
      '1 | 10:00:04.000 | step',
    ]);
  });
});
