import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { resolveCliConfig } from '@agentq/mock-anthropic';
import { describe, expect, test } from 'vitest';
import { parse } from 'yaml';

const run = promisify(execFile);
const root = fileURLToPath(new URL('..', import.meta.url));

interface Service {
  profiles?: string[];
  build?: string;
  image?: string;
  command?: string[];
  environment?: Record<string, string>;
  ports?: string[];
  volumes?: string[];
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string; required?: boolean }>;
  stop_grace_period?: string;
}
interface Compose {
  services: Record<string, Service>;
  volumes: Record<string, unknown>;
}

const composeText = await readFile(join(root, 'docker-compose.yml'), 'utf8');
const compose = parse(composeText, { merge: true }) as Compose;
const svc = (name: string): Service => {
  const service = compose.services[name];
  if (!service) throw new Error(`docker-compose.yml has no service ${name}`);
  return service;
};
/** What compose makes of `${VAR:-default}` when VAR is not set. */
const unsetValue = (value: string) => value.replace(/\$\{[A-Z0-9_]+:-([^}]*)\}/g, '$1');

/** The Dockerfile as instructions, continuation lines joined and comments dropped. */
async function dockerfile(): Promise<Array<{ op: string; args: string }>> {
  const text = (await readFile(join(root, 'Dockerfile'), 'utf8')).replace(/\\\n/g, ' ');
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'))
    .map((l) => ({ op: (l.split(/\s+/)[0] ?? '').toUpperCase(), args: l.slice(l.indexOf(' ') + 1).trim() }));
}

describe('docker-compose.yml', () => {
  // MOCK_ANTHROPIC_RPM: ${MOCK_ANTHROPIC_RPM:-} resolved to "" and the mock exited, so the offline stack had no model.
  test('mock-anthropic starts with its environment as compose resolves it when nothing is set', () => {
    const mock = svc('mock-anthropic');
    expect(mock.profiles).toEqual(['mock']);
    const env = Object.fromEntries(Object.entries(mock.environment ?? {}).map(([k, v]) => [k, unsetValue(String(v))]));
    expect(env.MOCK_ANTHROPIC_RPM).toBe('');
    const [bin, ...args] = mock.command ?? [];
    expect(bin).toBe('mock-anthropic');
    expect(resolveCliConfig(args, env)).toMatchObject({ kind: 'run', options: { host: '0.0.0.0', port: 4010 } });
    expect(mock.healthcheck?.test.join(' ')).toContain('/_mock/health');
  });

  // With --scale worker=4 each container had its own demo dir, while a session writes in one step and reads in the next.
  test('every worker shares one named volume for the demo directory', () => {
    const worker = svc('worker');
    const dir = worker.environment?.AGENTQ_DEMO_DIR;
    expect(dir).toBeTruthy();
    const mount = (worker.volumes ?? []).find((v) => v.endsWith(`:${dir}`));
    const volume = mount?.split(':')[0] ?? '';
    expect(volume).toMatch(/^[a-z][a-z0-9-]*$/);
    expect(Object.keys(compose.volumes)).toContain(volume);
  });

  test('workers have a healthcheck on their /healthz and wait for Redis and the mock to be healthy', () => {
    const worker = svc('worker');
    const port = worker.environment?.AGENTQ_METRICS_PORT;
    expect(worker.healthcheck?.test.join(' ')).toContain(`127.0.0.1:${port}/healthz`);
    expect(worker.depends_on?.redis?.condition).toBe('service_healthy');
    expect(worker.depends_on?.['mock-anthropic']).toEqual({ condition: 'service_healthy', required: false });
    const graceS = Number(worker.environment?.AGENTQ_SHUTDOWN_GRACE_MS) / 1000;
    expect(Number.parseInt(worker.stop_grace_period ?? '0', 10)).toBeGreaterThan(graceS);
    expect(worker.command?.slice(0, 3)).toEqual(['agentq-worker', '--agents', 'dist/agents.js']);
  });

  // The producer had no profile: `up` ran the demo batch and `run --rm producer` ran it again.
  test('the producer and the dashboard run only when asked for (profiles)', () => {
    expect(svc('producer').profiles).toEqual(['demo']);
    expect(svc('dashboard').profiles).toEqual(['dashboard']);
    const always = Object.entries(compose.services)
      .filter(([, s]) => !s.profiles)
      .map(([name]) => name);
    expect(always.sort()).toEqual(['redis', 'worker']);
  });

  // Redis published 127.0.0.1:6379 and clashed with a host Redis.
  test('Redis is not published on the host port 6379, whatever is set', () => {
    for (const [name, service] of Object.entries(compose.services)) {
      for (const port of service.ports ?? []) {
        const mapping = unsetValue(port).split(':');
        expect(mapping[0], `${name} ${port}`).toBe('127.0.0.1');
        expect(mapping[1], `${name} ${port}`).not.toBe('6379');
      }
    }
    expect(svc('redis').ports).toEqual(['127.0.0.1:${AGENTQ_REDIS_HOST_PORT:-16379}:6379']);
    const published = Object.entries(compose.services)
      .filter(([, s]) => s.ports)
      .map(([name]) => name);
    expect(published.sort()).toEqual(['dashboard', 'redis']);
  });

  test('every agentq service runs the one image built from the Dockerfile', () => {
    for (const name of ['mock-anthropic', 'worker', 'producer', 'dashboard']) {
      expect(svc(name)).toMatchObject({ build: '.', image: 'agentq:local' });
    }
  });

  test('docker-compose config accepts the file', async (context) => {
    const hasCompose = await run('docker-compose', ['version']).then(
      () => true,
      () => false,
    );
    if (!hasCompose) context.skip('docker-compose is not installed');
    // docker-compose 1.x predates depends_on.required (Compose v2.20): it checks the rest of the file.
    const dir = await mkdtemp(join(tmpdir(), 'agentq-compose-'));
    try {
      await writeFile(join(dir, 'docker-compose.yml'), composeText.replace(/^\s+required: false\n/m, ''));
      await writeFile(join(dir, 'Dockerfile'), '');
      await run('docker-compose', ['-f', join(dir, 'docker-compose.yml'), '--profile', 'mock', '--profile', 'demo', '--profile', 'dashboard', 'config', '-q']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('Dockerfile', () => {
  test('builds in stages on Node 24 LTS', async () => {
    const froms = (await dockerfile()).filter((i) => i.op === 'FROM').map((i) => i.args);
    expect(froms).toEqual(['node:24-bookworm-slim AS build', 'node:24-bookworm-slim AS runtime']);
  });

  // The runtime image carried the whole build tree with its dev dependencies.
  test('the runtime stage holds production dependencies only and runs as a non-root user', async () => {
    const instructions = await dockerfile();
    const runtimeAt = instructions.findIndex((i) => i.op === 'FROM' && i.args.endsWith('AS runtime'));
    const build = instructions.slice(0, runtimeAt);
    const runtime = instructions.slice(runtimeAt + 1);
    expect(build.some((i) => i.op === 'RUN' && /pnpm .*deploy .*--prod \/deploy$/.test(i.args))).toBe(true);
    expect(runtime.filter((i) => i.op === 'COPY').map((i) => i.args)).toEqual(['--from=build /deploy /app']);
    expect(runtime.some((i) => i.op === 'RUN' && /\b(pnpm|npm) (install|i)\b/.test(i.args))).toBe(false);
    const users = runtime.filter((i) => i.op === 'USER').map((i) => i.args);
    expect(users).toEqual(['node']);
    const userAt = runtime.findIndex((i) => i.op === 'USER');
    expect(runtime.slice(userAt).some((i) => i.op === 'USER' && i.args === 'root')).toBe(false);
    expect(runtime.find((i) => i.op === 'ENV' && i.args.startsWith('AGENTQ_DEMO_DIR='))?.args).toBe(
      `AGENTQ_DEMO_DIR=${svc('worker').environment?.AGENTQ_DEMO_DIR}`,
    );
  });

  // Kubernetes sends SIGTERM to PID 1: through a shell form it would reach sh, and the worker would never drain.
  test('the default command is exec form, so SIGTERM reaches the worker and it drains', async () => {
    const cmds = (await dockerfile()).filter((i) => i.op === 'CMD' || i.op === 'ENTRYPOINT');
    expect(cmds.map((i) => i.op)).toEqual(['CMD']);
    expect(JSON.parse(cmds[0]?.args ?? '')).toEqual(['agentq-worker', '--agents', 'dist/agents.js']);
  });

  // `pnpm deploy --prod` copies the production dependencies of the deployed package and of every workspace
  // package it reaches: a compiler or test runner listed there would ship in the image.
  test('the packages deployed into the image list no build, lint or test tool as a production dependency', async () => {
    const seen = new Set<string>();
    const visit = async (dir: string): Promise<void> => {
      if (seen.has(dir)) return;
      seen.add(dir);
      const pkg = JSON.parse(await readFile(join(root, dir, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
      for (const [name, range] of Object.entries(pkg.dependencies ?? {})) {
        expect(name, `${dir} depends on ${name}`).not.toMatch(
          /^(typescript|vitest|eslint|@types\/.*|tsx|prettier|@biomejs\/.*|typescript-eslint|playwright.*)$/,
        );
        if (range.startsWith('workspace:')) await visit(`packages/${name.replace('@agentq/', '')}`);
      }
    };
    await visit('examples');
    expect([...seen].sort()).toEqual(['examples', 'packages/mock-anthropic', 'packages/producer', 'packages/shared', 'packages/worker']);
  });

  // The pods' securityContext names the user by number (runAsUser: 1000) so the kubelet can check runAsNonRoot.
  test('the runtime user is the node image\'s "node" user, uid 1000, which the Kubernetes manifests run as', async () => {
    const runtime = (await dockerfile()).slice((await dockerfile()).findIndex((i) => i.op === 'FROM' && i.args.endsWith('AS runtime')));
    expect(runtime.find((i) => i.op === 'USER')?.args).toBe('node');
    const worker = parse(await readFile(join(root, 'deploy/k8s/worker-deployment.yaml'), 'utf8')) as {
      spec: { template: { spec: { securityContext: { runAsUser: number } } } };
    };
    expect(worker.spec.template.spec.securityContext.runAsUser).toBe(1000);
  });
});
