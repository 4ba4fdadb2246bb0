import { describe, expect, it } from 'vitest';
import { MockApiError } from './api-error.js';
import { extractScriptJson, parseScript, stepForTurn } from './script.js';

describe('script extraction', () => {
  it('finds the first balanced {"script": ...} object inside other text', () => {
    const json = '{"script":[{"text":"a } brace and a \\" quote {"}]}';
    expect(extractScriptJson(`Task: do things.\n${json}\nThanks! {"script":[]}`)).toBe(json);
    expect(extractScriptJson('{ "script" : [] }')).toBe('{ "script" : [] }');
    expect(extractScriptJson('no script here {"other": 1}')).toBeUndefined();
  });

  it('parses tool, parallel, text+tool, forced-stop and error entries', () => {
    const script = parseScript(
      JSON.stringify({
        script: [
          { tool: 'ls', input: { dir: '/' } },
          [{ tool: 'cat', input: { f: 'a' } }, { tool: 'cat' }],
          { text: 'looking', tool: 'ls' },
          { text: 'cut', stop_reason: 'max_tokens' },
          { error: { status: 529, times: 2 }, then: { text: 'ok now' } },
          { error: { status: 500 } },
        ],
        loop: true,
      }),
    );
    expect(script?.loop).toBe(true);
    expect(script?.steps.map((s) => s.answer)).toEqual([
      { blocks: [{ kind: 'tool', name: 'ls', input: { dir: '/' } }] },
      {
        blocks: [
          { kind: 'tool', name: 'cat', input: { f: 'a' } },
          { kind: 'tool', name: 'cat', input: {} },
        ],
      },
      {
        blocks: [
          { kind: 'text', text: 'looking' },
          { kind: 'tool', name: 'ls', input: {} },
        ],
      },
      { blocks: [{ kind: 'text', text: 'cut' }], stopReason: 'max_tokens' },
      { blocks: [{ kind: 'text', text: 'ok now' }] },
      { blocks: [{ kind: 'text', text: 'OK' }] },
    ]);
    expect(script?.steps[4]?.error).toEqual({ status: 529, times: 2 });
    expect(script?.steps[5]?.error).toEqual({ status: 500, times: 1 });
  });

  it('picks the step for a turn, looping or not', () => {
    const once = parseScript('{"script":[{"text":"a"},{"text":"b"}]}');
    const looped = parseScript('{"script":[{"text":"a"},{"text":"b"}],"loop":true}');
    if (!once || !looped) throw new Error('expected scripts');
    expect(stepForTurn(once, 1)?.answer.blocks).toEqual([{ kind: 'text', text: 'b' }]);
    expect(stepForTurn(once, 2)).toBeUndefined();
    expect(stepForTurn(looped, 5)?.answer.blocks).toEqual([{ kind: 'text', text: 'b' }]);
  });

  it.each([
    ['{"script":[{"tool":"x","input":[1]}]}', 'script[0].input must be an object'],
    ['{"script":[{"stop_reason":"bored","text":"x"}]}', 'script[0].stop_reason must be one of'],
    ['{"script":[{}]}', 'script[0] needs "text" or "tool"'],
    ['{"script":[{"error":{"status":200}}]}', 'script[0].error.status must be an HTTP error status'],
    ['{"script":{"text":"x"}}', '"script" must be a list'],
    ['{"script":[{"text":"x"}], "lop": true}', 'unknown key "lop"'],
    ['{"script":[{"text":x}]}', 'invalid JSON'],
    ['{"script":[', 'unterminated'],
  ])('rejects %s', (text, message) => {
    let caught: unknown;
    try {
      parseScript(text);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(MockApiError);
    expect((caught as MockApiError).status).toBe(400);
    expect((caught as MockApiError).message).toContain(message);
  });
});
