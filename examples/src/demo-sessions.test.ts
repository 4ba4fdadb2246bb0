import { StartSessionInput } from '@agentq/shared';
import { describe, expect, test } from 'vitest';
import { parseScript, scriptToolCalls, type ScriptTurn } from './demo-script.js';
import { DEMO_SCENARIOS, demoScenarioNames, demoSessions } from './demo-sessions.js';
import { createDemoTools, DEMO_TOOL_NAMES } from './demo-tools.js';
import type { Approval, Redis } from '@agentq/shared';
import { decide } from './demo/operator-policy.js';

// Only the tools' schemas are used here; nothing reaches Redis.
const tools = new Map(createDemoTools({ redis: {} as Redis, prefix: 'unused', sandboxDir: '/nonexistent', outboxDir: '/nonexistent' }).map((t) => [t.name, t]));
const APPROVAL_TOOLS = new Set(['send_email', 'delete_record', 'process_payment']);

const scriptOf = (input: string): ScriptTurn[] => {
  const script = parseScript(input);
  if (!script) throw new Error(`no script in: ${input}`);
  return script;
};

describe('demoSessions', () => {
  const sessions = demoSessions();

  test('returns 20 valid start arguments for the demo agent by default', () => {
    expect(sessions).toHaveLength(20);
    for (const s of sessions) {
      expect(() => StartSessionInput.parse(s)).not.toThrow();
      expect(s.agent).toBe('demo');
      expect(demoScenarioNames).toContain(s.metadata.scenario);
    }
    expect(new Set(sessions.map((s) => s.metadata.scenario)).size).toBe(20);
  });

  test('each input reads naturally, then carries one parseable {"script":[...]} object', () => {
    for (const s of sessions) {
      const [prompt, json] = s.input.split('\n\n');
      expect(prompt).toMatch(/^[A-Z].*[.?]$/);
      expect(prompt).not.toMatch(/[{}]/);
      expect(JSON.parse(json ?? '')).toEqual({ script: expect.any(Array) });
    }
  });

  test('every script calls only the six demo tools and ends with a final text', () => {
    expect([...tools.keys()]).toEqual([...DEMO_TOOL_NAMES]);
    for (const s of sessions) {
      const script = scriptOf(s.input);
      expect(script.length).toBeGreaterThanOrEqual(2);
      expect(script.at(-1)).toEqual({ text: expect.any(String) });
      for (const call of scriptToolCalls(script)) expect(tools.has(call.tool), `${s.metadata.scenario}: ${call.tool}`).toBe(true);
    }
  });

  test('tool inputs are valid except the one deliberately invalid call', () => {
    const invalid: string[] = [];
    for (const s of sessions) {
      for (const call of scriptToolCalls(scriptOf(s.input))) {
        if (!tools.get(call.tool)?.input.safeParse(call.input).success) invalid.push(`${s.metadata.scenario}:${call.tool}`);
      }
    }
    expect(invalid).toEqual(['invalid-input-corrected:search_web']);
  });

  test('the mix: 12 unattended, 6 approvals, 2 guards', () => {
    const byKind = (kind: string) => sessions.filter((s) => s.metadata.kind === kind);
    expect(byKind('auto')).toHaveLength(12);
    expect(byKind('approval')).toHaveLength(6);
    expect(byKind('guard')).toHaveLength(2);

    for (const s of byKind('auto')) {
      const script = scriptOf(s.input);
      expect(script.length, s.metadata.scenario).toBeLessThanOrEqual(5);
      for (const call of scriptToolCalls(script)) expect(['search_web', 'read_file', 'write_file']).toContain(call.tool);
    }
    for (const s of byKind('approval')) {
      expect(
        scriptToolCalls(scriptOf(s.input)).some((c) => APPROVAL_TOOLS.has(c.tool)),
        s.metadata.scenario,
      ).toBe(true);
    }
    const approvalTools = new Set(byKind('approval').flatMap((s) => scriptToolCalls(scriptOf(s.input)).map((c) => c.tool)));
    for (const t of APPROVAL_TOOLS) expect(approvalTools).toContain(t);
    expect(sessions.filter((s) => scriptOf(s.input).some(Array.isArray)).length).toBeGreaterThanOrEqual(3);
  });

  test('the loop scenario repeats one identical search five times', () => {
    const loop = sessions.find((s) => s.metadata.scenario === 'loop-repeated-search');
    const calls = scriptToolCalls(scriptOf(loop?.input ?? '')).map((c) => JSON.stringify(c));
    expect(calls).toHaveLength(5);
    expect(new Set(calls).size).toBe(1);
  });

  test('the escape scenario reads ../etc/passwd, and the invalid-input one corrects itself', () => {
    const escape = sessions.find((s) => s.metadata.scenario === 'sandbox-escape-refused');
    expect(scriptOf(escape?.input ?? '')[0]).toEqual({ tool: 'read_file', input: { path: '../etc/passwd' } });
    const invalid = scriptOf(sessions.find((s) => s.metadata.scenario === 'invalid-input-corrected')?.input ?? '');
    expect(invalid[0]).toEqual({ tool: 'search_web', input: { query: 123 } });
    expect(invalid[1]).toMatchObject({ tool: 'search_web', input: { query: expect.any(String) } });
  });

  test('the first few sessions already mix the kinds', () => {
    expect(new Set(demoSessions(6).map((s) => s.metadata.kind))).toEqual(new Set(['auto', 'approval', 'guard']));
  });

  test('is deterministic and cycles for larger counts', () => {
    expect(demoSessions()).toEqual(sessions);
    const many = demoSessions(45);
    expect(many).toHaveLength(45);
    expect(many[DEMO_SCENARIOS.length]).toEqual(sessions[0]);
    expect(demoSessions(0)).toEqual([]);
    expect(() => demoSessions(-1)).toThrow(RangeError);
  });

  // A denied call's session ended with the scripted "Deleted the stale test customer cus_1003." as its output.
  test('a session whose call the demo operator denies ends with text that says so; an approved one does not', () => {
    const denied: string[] = [];
    for (const scenario of DEMO_SCENARIOS) {
      const gated = scriptToolCalls(scenario.script).filter((c) => APPROVAL_TOOLS.has(c.tool));
      const decisions = gated.map((c) => decide({ tool: c.tool, input: c.input } as Approval));
      const last = scenario.script.at(-1);
      const text = last && 'text' in last ? last.text : '';
      if (decisions.some((d) => !d.approve)) {
        denied.push(scenario.name);
        expect(text, scenario.name).toMatch(/denied/);
        expect(scenario.shows, scenario.name).toMatch(/denies/);
      } else {
        expect(text, scenario.name).not.toMatch(/denied/);
      }
    }
    expect(denied).toEqual(['delete-stale-customer', 'pay-vendor-invoice', 'email-external-partner']);
  });
});
