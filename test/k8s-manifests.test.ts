/**
 * The Kubernetes manifests in deploy/k8s: every object validates against the Kubernetes and KEDA schemas
 * (npm kubernetes-models, @kubernetes-models/keda), the kustomize base renders with `kubectl kustomize`, and
 * what the manifests say agrees with the code: environment variable names with the processes' zod schemas,
 * the grace period with the worker's shutdown grace, the probes with the worker's metrics server, the
 * autoscaler's source with `agentq metrics`.
 */
import { execFile } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { ScaledObject } from '@kubernetes-models/keda/keda.sh/v1alpha1';
import { ProducerEnv } from '@agentq/producer';
import type { RunnableBacklog } from '@agentq/shared';
import { DEFAULT_QUEUE_PAUSE_LIMITS, WorkerEnv } from '@agentq/worker';
import { Deployment } from 'kubernetes-models/apps/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { ConfigMap, Namespace, Secret, Service } from 'kubernetes-models/v1';
import { describe, expect, test } from 'vitest';
import { parseAllDocuments } from 'yaml';

const run = promisify(execFile);
const root = fileURLToPath(new URL('..', import.meta.url));
const BASE = join(root, 'deploy/k8s');
const OVERLAY = join(root, 'deploy/k8s-overlay-example');

/** One model per kind the manifests use; a new kind must be added here to be validated. */
const MODELS: Record<string, new (data: never) => { validate(): void }> = {
  'v1/Namespace': Namespace,
  'v1/ConfigMap': ConfigMap,
  'v1/Secret': Secret,
  'v1/Service': Service,
  'apps/v1/Deployment': Deployment,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'keda.sh/v1alpha1/ScaledObject': ScaledObject,
};

/**
 * Names the manifests set that the cluster and queue-shard build reads (Redis Cluster nodes, queue shards).
 * Each stays here only while no schema reads it: once one does, the test below asks to remove it.
 */
const AWAITING_SCHEMA = new Set<string>();

interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string> };
  [field: string]: unknown;
}
type EnvVar = { name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } };
interface Container {
  name: string;
  command?: string[];
  env?: EnvVar[];
  envFrom?: Array<{ configMapRef?: { name: string } }>;
  ports?: Array<{ name?: string; containerPort: number }>;
  livenessProbe?: { httpGet?: { path: string; port: string | number } };
  readinessProbe?: { httpGet?: { path: string; port: string | number } };
  startupProbe?: { httpGet?: { path: string; port: string | number } };
  securityContext?: { allowPrivilegeEscalation?: boolean; readOnlyRootFilesystem?: boolean; capabilities?: { drop?: string[] } };
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
}
interface PodSpec {
  containers: Container[];
  terminationGracePeriodSeconds?: number;
  securityContext?: { runAsNonRoot?: boolean; runAsUser?: number };
}
type DeploymentObject = K8sObject & {
  spec: { selector: { matchLabels: Record<string, string> }; template: { metadata: { labels: Record<string, string> }; spec: PodSpec } };
};

function parseObjects(text: string, source: string): K8sObject[] {
  return parseAllDocuments(text).flatMap((doc) => {
    if (doc.errors.length > 0) throw new Error(`${source}: ${doc.errors[0]?.message}`);
    const value = doc.toJS() as K8sObject | null;
    return value ? [value] : [];
  });
}

function validate(object: K8sObject, source: string): void {
  const Model = MODELS[`${object.apiVersion}/${object.kind}`];
  if (!Model) throw new Error(`${source}: no model for ${object.apiVersion} ${object.kind}: add it to MODELS`);
  new Model(object as never).validate();
}

async function yamlFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile() && /\.ya?ml$/.test(e.name)).map((e) => join(e.parentPath, e.name));
}

const files = await yamlFiles(BASE);
const manifests = files.filter((f) => !f.endsWith('kustomization.yaml'));
const texts = new Map(await Promise.all(manifests.map(async (f) => [f, await readFile(f, 'utf8')] as const)));
const objects = new Map<string, K8sObject>();
for (const [file, text] of texts) {
  for (const object of parseObjects(text, relative(root, file))) objects.set(`${object.kind}/${object.metadata.name}`, object);
}
const get = <T extends K8sObject>(key: string): T => {
  const object = objects.get(key);
  if (!object) throw new Error(`deploy/k8s has no ${key}`);
  return object as T;
};
const worker = get<DeploymentObject>('Deployment/agentq-worker');
const workerContainer = worker.spec.template.spec.containers[0] as Container;
const envValue = (c: Container, name: string) => c.env?.find((e) => e.name === name)?.value;
const config = get<K8sObject & { data: Record<string, string> }>('ConfigMap/agentq-config');

/** kubectl's client minor version, undefined when there is no kubectl. */
const kubectlMinor = await run('kubectl', ['version', '--client', '-o', 'json']).then(
  ({ stdout }) => Number.parseInt((JSON.parse(stdout) as { clientVersion: { minor: string } }).clientVersion.minor, 10),
  () => undefined,
);

describe('deploy/k8s manifests', () => {
  test('every object in every YAML file validates against the Kubernetes and KEDA schemas', () => {
    expect(manifests.length).toBeGreaterThan(5);
    for (const [file, text] of texts) {
      for (const object of parseObjects(text, relative(root, file))) validate(object, relative(root, file));
    }
    console.log(`[k8s] validated ${objects.size} objects: ${[...objects.keys()].join(', ')}`);
    expect([...objects.keys()].sort()).toEqual([
      'ConfigMap/agentq-config',
      'Deployment/agentq-dashboard',
      'Deployment/agentq-metrics',
      'Deployment/agentq-worker',
      'Namespace/agentq',
      'PodDisruptionBudget/agentq-worker',
      'ScaledObject/agentq-worker',
      'Service/agentq-dashboard',
      'Service/agentq-metrics',
    ]);
  });

  test('a schema violation is caught (the validation is not a no-op)', () => {
    const broken = structuredClone(worker);
    (broken.spec.template.spec as unknown as { terminationGracePeriodSeconds: string }).terminationGracePeriodSeconds = 'seventy';
    expect(() => validate(broken, 'broken')).toThrow(/terminationGracePeriodSeconds/);
    const so = structuredClone(get('ScaledObject/agentq-worker')) as K8sObject & { spec: { triggers: unknown } };
    so.spec.triggers = 'metrics-api';
    expect(() => validate(so, 'broken')).toThrow(/triggers/);
  });

  test('the kustomization lists every manifest file, and nothing else', async () => {
    const kustomization = parseObjects(await readFile(join(BASE, 'kustomization.yaml'), 'utf8'), 'kustomization.yaml')[0] as unknown as { resources: string[] };
    expect([...kustomization.resources].sort()).toEqual(manifests.map((f) => relative(BASE, f)).sort());
  });

  const render = async (dir: string) => {
    const { stdout } = await run('kubectl', ['kustomize', dir]);
    const rendered = parseObjects(stdout, relative(root, dir));
    for (const object of rendered) validate(object, `${relative(root, dir)} rendered`);
    expect(rendered.map((o) => `${o.kind}/${o.metadata.name}`).sort()).toEqual([...objects.keys()].sort());
    for (const object of rendered) {
      if (object.kind !== 'Namespace') expect((object.metadata as { namespace?: string }).namespace, `${object.kind}/${object.metadata.name}`).toBe('agentq');
    }
    return rendered;
  };

  test('kubectl kustomize renders the base into valid objects, all in the agentq namespace', async (context) => {
    if (!kubectlMinor) context.skip('kubectl is not installed');
    const rendered = await render(BASE);
    const images = rendered.flatMap((o) =>
      o.kind === 'Deployment' ? (o as DeploymentObject).spec.template.spec.containers.map((c) => (c as { image?: string }).image) : [],
    );
    expect(new Set(images)).toEqual(new Set(['agentq:latest']));
  });

  test('kubectl kustomize renders the example overlay: its image, its Redis, its shard count', async (context) => {
    // `patches:` came with kustomize 4 (kubectl 1.21); Debian 12's kubectl is 1.20.
    if (!kubectlMinor || kubectlMinor < 21)
      context.skip(kubectlMinor ? `kubectl 1.${kubectlMinor} predates kustomize patches (needs 1.21+)` : 'kubectl is not installed');
    const rendered = await render(OVERLAY);
    const cm = rendered.find((o) => o.kind === 'ConfigMap') as K8sObject & { data: Record<string, string> };
    expect(cm.data).toMatchObject({ REDIS_URL: 'redis://redis-master.redis.svc.cluster.local:6379', AGENTQ_QUEUE_SHARDS: '3' });
    const w = rendered.find((o) => o.kind === 'Deployment' && o.metadata.name === 'agentq-worker') as DeploymentObject;
    expect((w.spec.template.spec.containers[0] as { image?: string }).image).toBe('registry.example.com/acme/agentq:1.0.0');
  });

  // A renamed variable would leave the manifests setting a name no process reads, silently.
  test('every environment variable the manifests set is one the process reads (its zod env schema)', () => {
    const workerNames = new Set(Object.keys(WorkerEnv.shape));
    const producerNames = new Set(Object.keys(ProducerEnv.shape));
    for (const name of AWAITING_SCHEMA) {
      expect(workerNames.has(name) || producerNames.has(name), `${name} is now read by a process: remove it from AWAITING_SCHEMA`).toBe(false);
    }
    const check = (names: Iterable<string>, known: Set<string>, where: string) => {
      for (const name of names) expect(known.has(name) || AWAITING_SCHEMA.has(name), `${where} sets ${name}, which it does not read`).toBe(true);
    };
    for (const [key, schema] of [
      ['Deployment/agentq-worker', workerNames],
      ['Deployment/agentq-dashboard', producerNames],
      ['Deployment/agentq-metrics', producerNames],
    ] as const) {
      for (const container of get<DeploymentObject>(key).spec.template.spec.containers) {
        check(
          (container.env ?? []).map((e) => e.name),
          schema,
          `${key} env`,
        );
        for (const from of container.envFrom ?? []) {
          expect(from.configMapRef?.name).toBe('agentq-config');
          check(Object.keys(config.data), schema, `${key} (from ConfigMap agentq-config)`);
        }
      }
    }
    // The values parse too: a ConfigMap value the schema refuses would stop every pod at start-up.
    const workerEnv = {
      ...config.data,
      ...Object.fromEntries((workerContainer.env ?? []).filter((e) => e.value !== undefined).map((e) => [e.name, e.value])),
      ANTHROPIC_API_KEY: 'from-secret',
    };
    expect(WorkerEnv.safeParse(workerEnv).error?.message).toBeUndefined();
  });

  test('secrets come from the Secret agentq-secrets, never inline', () => {
    const secretRef = (key: string, name: string) => get<DeploymentObject>(key).spec.template.spec.containers[0]?.env?.find((e) => e.name === name);
    expect(secretRef('Deployment/agentq-worker', 'ANTHROPIC_API_KEY')?.valueFrom?.secretKeyRef).toEqual({ name: 'agentq-secrets', key: 'anthropic-api-key' });
    expect(secretRef('Deployment/agentq-dashboard', 'AGENTQ_DASHBOARD_TOKEN')?.valueFrom?.secretKeyRef).toEqual({
      name: 'agentq-secrets',
      key: 'dashboard-token',
    });
    for (const object of objects.values()) expect(object.kind).not.toBe('Secret');
    for (const name of Object.keys(config.data)) expect(name, `ConfigMap holds ${name}`).not.toMatch(/KEY|TOKEN|PASSWORD|SECRET/);
    expect(Object.values(config.data).join(' ')).not.toMatch(/sk-ant/);
  });

  test('the worker gets its shutdown grace plus 10 s before SIGKILL', () => {
    const graceMs = Number(envValue(workerContainer, 'AGENTQ_SHUTDOWN_GRACE_MS') ?? 60_000);
    expect(graceMs).toBeGreaterThan(0);
    expect(worker.spec.template.spec.terminationGracePeriodSeconds).toBeGreaterThanOrEqual(graceMs / 1000 + 10);
  });

  test('the worker probes hit its metrics server: liveness /healthz, readiness /readyz, on AGENTQ_METRICS_PORT, open to the pod IP', () => {
    const port = Number(envValue(workerContainer, 'AGENTQ_METRICS_PORT'));
    expect(envValue(workerContainer, 'AGENTQ_METRICS_HOST')).toBe('0.0.0.0');
    const named = workerContainer.ports?.find((p) => p.containerPort === port)?.name;
    expect(named).toBeTruthy();
    expect(workerContainer.livenessProbe?.httpGet).toEqual({ path: '/healthz', port: named });
    expect(workerContainer.startupProbe?.httpGet).toEqual({ path: '/healthz', port: named });
    expect(workerContainer.readinessProbe?.httpGet).toEqual({ path: '/readyz', port: named });
  });

  test("every pod runs as the image's non-root user, without privilege escalation or capabilities, with resources set", () => {
    for (const object of objects.values()) {
      if (object.kind !== 'Deployment') continue;
      const pod = (object as DeploymentObject).spec.template.spec;
      // 1000 is the node images' "node" user (the Dockerfile's USER); numeric so the kubelet can check it.
      expect(pod.securityContext, object.metadata.name).toMatchObject({ runAsNonRoot: true, runAsUser: 1000 });
      for (const c of pod.containers) {
        expect(c.securityContext, `${object.metadata.name}/${c.name}`).toEqual({
          allowPrivilegeEscalation: false,
          readOnlyRootFilesystem: true,
          capabilities: { drop: ['ALL'] },
        });
        expect(c.resources?.requests?.memory, `${object.metadata.name}/${c.name}`).toBeTruthy();
        expect(c.resources?.limits?.memory, `${object.metadata.name}/${c.name}`).toBeTruthy();
      }
    }
  });

  test('services and the disruption budget select the pods they mean, on ports the containers name', () => {
    for (const [svc, deployment] of [
      ['Service/agentq-dashboard', 'Deployment/agentq-dashboard'],
      ['Service/agentq-metrics', 'Deployment/agentq-metrics'],
    ] as const) {
      const service = get<K8sObject & { spec: { selector: Record<string, string>; ports: Array<{ port: number; targetPort: string }> } }>(svc);
      const d = get<DeploymentObject>(deployment);
      expect(d.spec.template.metadata.labels).toMatchObject(service.spec.selector);
      expect(d.spec.template.metadata.labels).toMatchObject(d.spec.selector.matchLabels);
      const ports = d.spec.template.spec.containers.flatMap((c) => c.ports ?? []);
      for (const p of service.spec.ports) expect(ports.find((c) => c.name === p.targetPort)?.containerPort, `${svc} ${p.targetPort}`).toBe(p.port);
    }
    const pdb = get<K8sObject & { spec: { maxUnavailable?: number; selector: { matchLabels: Record<string, string> } } }>('PodDisruptionBudget/agentq-worker');
    expect(worker.spec.template.metadata.labels).toMatchObject(pdb.spec.selector.matchLabels);
    expect(pdb.spec.maxUnavailable).toBe(1);
  });

  test('KEDA scales the worker Deployment on the runnable backlog served by agentq metrics, and outlasts a 429 pause', () => {
    const so = get<K8sObject & { spec: Record<string, unknown> }>('ScaledObject/agentq-worker').spec as {
      scaleTargetRef: { name: string };
      minReplicaCount: number;
      triggers: Array<{ type: string; metadata: Record<string, string> }>;
      advanced: { horizontalPodAutoscalerConfig: { behavior: { scaleDown: { stabilizationWindowSeconds: number } } } };
    };
    expect(so.scaleTargetRef.name).toBe(worker.metadata.name);
    expect(so.minReplicaCount).toBeGreaterThanOrEqual(1);
    const [trigger] = so.triggers;
    expect(trigger?.type).toBe('metrics-api');
    const metrics = get<DeploymentObject>('Deployment/agentq-metrics').spec.template.spec.containers[0] as Container;
    const port = metrics.command?.[metrics.command.indexOf('--port') + 1];
    expect(metrics.command?.slice(0, 2)).toEqual(['agentq', 'metrics']);
    const url = new URL(trigger?.metadata.url ?? '');
    expect(url.hostname).toBe('agentq-metrics.agentq.svc.cluster.local');
    expect(url.port).toBe(port);
    expect(url.pathname).toBe('/backlog');
    const fields: Array<keyof RunnableBacklog> = ['ready', 'active', 'demand'];
    expect(fields).toContain(trigger?.metadata.valueLocation);
    // One worker's slots per target: the fleet is sized so every slot has a step.
    expect(trigger?.metadata.targetValue).toBe(envValue(workerContainer, 'AGENTQ_CONCURRENCY'));
    // A 429 pause reads as no ready steps; the fleet must not shrink away before it lifts.
    expect(so.advanced.horizontalPodAutoscalerConfig.behavior.scaleDown.stabilizationWindowSeconds).toBeGreaterThan(
      DEFAULT_QUEUE_PAUSE_LIMITS.maxQueuePauseMs / 1000,
    );
  });
});
