import { describe, expect, test } from 'vitest';
import { canonicalJson } from './canonical-json.js';
import { pingPongLength } from './loop-kind.js';
import { toolSignature } from './tool-signature.js';

describe('canonicalJson', () => {
  test('sorts keys at every depth and keeps array order', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: null } })).toBe('{"a":{"c":null,"d":[3,{"y":2,"z":1}]},"b":1}');
  });

  test('spells numbers one way: 1.0 is 1, -0 is 0, non-finite is null', () => {
    expect(canonicalJson(JSON.parse('{"n":1.0,"m":-0,"e":1e2}'))).toBe('{"e":100,"m":0,"n":1}');
    expect(canonicalJson({ x: Number.NaN })).toBe('{"x":null}');
  });

  test('drops undefined members as JSON does', () => {
    expect(canonicalJson({ a: undefined, b: 2 })).toBe('{"b":2}');
  });
});

describe('toolSignature', () => {
  test('is the tool name plus a sha256 that does not depend on key order', () => {
    const sig = toolSignature('search', { q: 'x', opts: { limit: 5, sort: 'asc' } });
    expect(sig).toBe(toolSignature('search', { opts: { sort: 'asc', limit: 5.0 }, q: 'x' }));
    // stable across processes: a fixed digest, not a per-process hash
    expect(toolSignature('t', {})).toBe('t:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a');
    expect(sig).toMatch(/^search:[0-9a-f]{64}$/);
  });

  test('the ping-pong run spans at least A,B,A,B', () => {
    expect([2, 3, 4, 5].map(pingPongLength)).toEqual([4, 4, 6, 8]);
  });
});
