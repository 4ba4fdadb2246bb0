import { describe, expect, it } from 'vitest';
import { resolveCliConfig } from './cli-config.js';

describe('resolveCliConfig', () => {
  it('reads flags and environment variables, flags winning', () => {
    const config = resolveCliConfig(['--port', '0', '--rpm', '50', '--fail-rate', '0.25', '--host=0.0.0.0'], {
      MOCK_ANTHROPIC_RPM: '10',
      MOCK_ANTHROPIC_ITPM: '40000',
      MOCK_ANTHROPIC_OVERLOAD_RATE: '0.1',
      MOCK_ANTHROPIC_LATENCY_MS: '20',
      MOCK_ANTHROPIC_JITTER_MS: '5',
      MOCK_ANTHROPIC_OTPM: '8000',
    });
    expect(config).toEqual({
      kind: 'run',
      options: {
        port: 0,
        host: '0.0.0.0',
        rpm: 50,
        itpm: 40000,
        otpm: 8000,
        failRate: 0.25,
        overloadRate: 0.1,
        latencyMs: 20,
        jitterMs: 5,
      },
    });
  });

  it.each([
    [['--rpm', 'abc'], {}, '--rpm must be a positive integer (got "abc")'],
    [['--fail-rate', '1.5'], {}, '--fail-rate must be a number between 0 and 1'],
    [['--port', '70000'], {}, '--port must be an integer between 0 and 65535'],
    [[], { MOCK_ANTHROPIC_OVERLOAD_RATE: '-1' }, 'MOCK_ANTHROPIC_OVERLOAD_RATE must be a number between 0 and 1'],
    [['--latency-ms', ''], {}, '--latency-ms must be a non-negative integer'],
    [['--bogus'], {}, "Unknown option '--bogus'"],
  ])('rejects %j %j', (argv, env, message) => {
    const config = resolveCliConfig(argv, env);
    expect(config.kind).toBe('error');
    if (config.kind === 'error') expect(config.message).toContain(message);
  });

  // docker compose's `${MOCK_ANTHROPIC_RPM:-}` passed "" and the mock exited: "must be a positive integer (got "")".
  it('treats a blank environment variable as unset', () => {
    expect(resolveCliConfig([], { MOCK_ANTHROPIC_RPM: '', MOCK_ANTHROPIC_LATENCY_MS: '  ', MOCK_ANTHROPIC_HOST: '' })).toEqual({ kind: 'run', options: {} });
  });

  it('asks for help', () => {
    expect(resolveCliConfig(['--help'], {})).toEqual({ kind: 'help' });
  });
});
