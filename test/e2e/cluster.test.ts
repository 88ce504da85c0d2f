/**
 * From laptop to cluster, end to end: scaffold a project, give it a controller that owns a
 * Deployment and a Service behind a finalizer, generate its RBAC, check its manifests against the
 * real API server (server-side dry run, a restricted Pod Security namespace), build the production
 * tree the way the Dockerfile does (`npm ci --omit=dev`) and run `node dist/src/main.js` from it as
 * the operator's ServiceAccount bound only to the generated roles — zero 403s — then delete the
 * primary object and watch the real garbage collector remove what it owned. Needs `npm run build`
 * and the control-plane binaries (kube-controller-manager included).
 */
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { CustomResourceDefinition, Deployment, Namespace, Pod, Service } from '../../runtime/src/api/builtins.js';
import type { KubeObject, Resource } from '../../runtime/src/api/resource.js';
import { createClient, type Client } from '../../runtime/src/client/client.js';
import { ApiError, isNotFound } from '../../runtime/src/client/errors.js';
import { createTransport, type Transport } from '../../runtime/src/client/transport.js';
import { TestEnvironment, issueOperatorIdentity, type StartedEnvironment } from '../../runtime/src/testing/index.js';
import { freePort } from '../../runtime/src/testing/ports.js';
import { KubeConfig } from '@kubernetes/client-node';
import { eventually } from '../support/poll.js';
import { processesMatching } from '../support/processes.js';

const ROOT = join(import.meta.dirname, '..', '..');
const CREATE_OPERATOR = join(ROOT, 'dist', 'cli', 'create-operator.js');
const OPKIT = join(ROOT, 'dist', 'cli', 'opkit.js');
const tmp = mkdtempSync(join(tmpdir(), 'opkit-e2e-cluster-'));
const project = join(tmp, 'shop-operator');
const staging = join(tmp, 'image');
const timings: Array<[string, number]> = [];

/** The environment of child processes: without the npm config (npm_config_*) that npx or npm test put in ours. */
const childEnv: NodeJS.ProcessEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.toLowerCase().startsWith('npm_config_')));

function run(step: string, command: string, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv = {}): string {
  const start = performance.now();
  const result = spawnSync(command, args, { cwd, encoding: 'utf8', timeout: 600_000, env: { ...childEnv, CI: 'true', NO_COLOR: '1', ...env } });
  timings.push([step, performance.now() - start]);
  const output = `${result.stdout}\n${result.stderr}`;
  if (result.status !== 0) throw new Error(`${step} failed (${command} ${args.join(' ')}, exit ${String(result.status)}):\n${output.slice(-6000)}`);
  return output;
}

const CONTROLLER = `import { Deployment, Service, controller, finalizer, isNotFound, setCondition, setControllerReference, type KubeObject, type Manager, type ReconcileContext, type ReconcileResult, type Request, type Resource } from '@opkit/runtime';
import { Shop } from '../api/shop.example.com/v1alpha1/index.js';

const FINALIZER = 'shop.example.com/cleanup';

/**
 * Registers the Shop controller: one Deployment and one Service per Shop, owned by it.
 *
 * @rbac groups=apps resources=deployments verbs=create
 * @rbac groups=core resources=services verbs=create
 */
export function registerShopController(mgr: Manager): void {
  controller(mgr).named('shop').for(Shop).owns(Deployment).owns(Service).reconcile(reconcileShop);
}

/** Creates the Shop's Deployment and Service when missing; reports Ready. */
export async function reconcileShop(req: Request, ctx: ReconcileContext): Promise<ReconcileResult> {
  let shop: Shop;
  try {
    shop = await ctx.client.get(Shop, req);
  } catch (err) {
    if (isNotFound(err)) return;
    throw err;
  }
  await finalizer(ctx.client, Shop, shop, FINALIZER, {
    apply: async (live) => {
      const key = { namespace: req.namespace ?? '', name: req.name };
      const labels = { app: req.name };
      const exists = <T extends KubeObject>(resource: Resource<T>): Promise<boolean> =>
        ctx.client.get(resource, key).then(
          () => true,
          (err: unknown) => {
            if (isNotFound(err)) return false;
            throw err;
          },
        );
      if (!(await exists(Deployment))) {
        const deployment: Deployment = {
          apiVersion: 'apps/v1', kind: 'Deployment', metadata: { ...key, labels },
          spec: { replicas: 1, selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [{ name: 'shop', image: 'nginx' }] } } },
        };
        await ctx.client.create(Deployment, setControllerReference(live, deployment, Shop));
      }
      if (!(await exists(Service))) {
        const service: Service = { apiVersion: 'v1', kind: 'Service', metadata: { ...key, labels }, spec: { selector: labels, ports: [{ port: 80 }] } };
        await ctx.client.create(Service, setControllerReference(live, service, Shop));
      }
      const generation = live.metadata?.generation ?? 0;
      const conditions = (live.status?.conditions ?? []).map((c) => ({ ...c }));
      const changed = setCondition(conditions, { type: 'Ready', status: 'True', reason: 'Reconciled', message: 'Deployment and Service exist', observedGeneration: generation });
      if (changed || live.status?.observedGeneration !== generation) {
        await ctx.client.status.update(Shop, { ...live, status: { ...live.status, observedGeneration: generation, conditions } });
      }
    },
    cleanup: () => {
      ctx.log.info('cleaning up; the garbage collector removes the Deployment and Service');
    },
  });
}
`;

interface Shop extends KubeObject {
  spec?: { foo?: string };
  status?: { observedGeneration?: number; conditions?: Array<{ type: string; status: string; message?: string }> };
}
const Shop: Resource<Shop> = { group: 'shop.example.com', version: 'v1alpha1', kind: 'Shop', plural: 'shops', namespaced: true, subresources: { status: true } };

/**
 * package.json and package-lock.json for the production tree: the project's, with the
 * dev-only packages left out of both. What `npm ci --omit=dev` installs from them is what it
 * installs from the project's own pair; the lock just no longer names dev tools whose optional
 * platform packages a registry mirror may lack (npm ci then refuses the whole lock as out of sync).
 */
function writeProductionManifests(from: string, to: string): void {
  const manifest = JSON.parse(readFileSync(join(from, 'package.json'), 'utf8')) as Record<string, unknown>;
  delete manifest['devDependencies'];
  writeFileSync(join(to, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  const lock = JSON.parse(readFileSync(join(from, 'package-lock.json'), 'utf8')) as { packages: Record<string, { dev?: boolean; link?: boolean; resolved?: string; devDependencies?: unknown }> };
  for (const [path, entry] of Object.entries(lock.packages)) {
    if (entry.dev === true) delete lock.packages[path];
  }
  // a link (a file: dependency) whose target was dev-only goes too
  for (const [path, entry] of Object.entries(lock.packages)) {
    if (entry.link === true && !(String(entry.resolved) in lock.packages)) delete lock.packages[path];
  }
  delete lock.packages['']?.devDependencies;
  writeFileSync(join(to, 'package-lock.json'), `${JSON.stringify(lock, null, 2)}\n`);
}

beforeAll(() => {
  if (!existsSync(CREATE_OPERATOR)) throw new Error(`${CREATE_OPERATOR} is missing: run npm run build first`);
});

afterAll(() => {
  console.log(['e2e (cluster) timings:', ...timings.map(([s, ms]) => `  ${s}: ${(ms / 1000).toFixed(1)} s`)].join('\n'));
  rmSync(tmp, { recursive: true, force: true });
});

describe('a generated operator, from laptop to cluster', () => {
  let env: TestEnvironment;
  let started: StartedEnvironment;
  let transport: Transport;
  let admin: Client;

  beforeAll(async () => {
    run('create-operator', process.execPath, [CREATE_OPERATOR, 'shop-operator', '--yes', '--skip-git'], tmp);
    writeFileSync(join(project, 'src/controllers/shop.controller.ts'), CONTROLLER);
    env = new TestEnvironment({ crdPaths: [join(project, 'config/crd')], controllers: ['garbagecollector', 'namespace'] });
    started = await env.start();
    transport = createTransport(started.kubeConfig);
    admin = createClient(transport);
  });
  afterAll(async () => {
    transport?.close();
    await env?.stop();
  });

  test('opkit generate rbac grants what the controller does, --check passes, and the build is clean', () => {
    expect(() => run('generate rbac --check (stale)', 'npx', ['opkit', 'generate', 'rbac', '--check'], project)).toThrow(/config\/rbac\/role\.yaml \(differs\)/);
    run('generate rbac', 'npx', ['opkit', 'generate', 'rbac'], project);
    run('generate rbac --check', 'npx', ['opkit', 'generate', 'rbac', '--check'], project);
    const rules = (parseAllDocuments(readFileSync(join(project, 'config/rbac/role.yaml'), 'utf8'))[0]?.toJS() as { rules: Array<{ apiGroups: string[]; resources: string[]; verbs: string[] }> }).rules;
    const verbs = (group: string, resource: string): string[] => rules.filter((r) => r.apiGroups.includes(group) && r.resources.includes(resource)).flatMap((r) => r.verbs).sort();
    expect(verbs('apps', 'deployments')).toEqual(['create', 'get', 'list', 'watch']);
    expect(verbs('', 'services')).toEqual(['create', 'get', 'list', 'watch']);
    expect(verbs('shop.example.com', 'shops')).toEqual(['get', 'list', 'patch', 'watch']);
    expect(verbs('shop.example.com', 'shops/status')).toEqual(['update']);
    expect(verbs('shop.example.com', 'shops/finalizers')).toEqual(['update']);
    expect(JSON.stringify(rules)).not.toContain('*');
    run('npm run build', 'npm', ['run', 'build'], project);
  });

  test('kubectl apply --dry-run=server -k config/default is accepted, and the manager Pod is admitted under restricted Pod Security', async () => {
    const rendered = parseAllDocuments(run('kubectl kustomize', 'kubectl', ['kustomize', 'config/default'], project)).map((d) => d.toJS() as KubeObject & { spec?: { template?: { spec?: unknown } } });
    const namespace = rendered.find((o) => o.kind === 'Namespace')?.metadata?.name ?? '';
    expect(namespace).toBe('shop-system');
    // the objects go into the namespace the same apply creates: a dry run needs it to exist
    await admin.create(Namespace, { metadata: { name: namespace, labels: { 'pod-security.kubernetes.io/enforce': 'restricted', 'pod-security.kubernetes.io/warn': 'restricted' } } });
    const output = run('kubectl apply --dry-run=server', 'kubectl', ['apply', '--dry-run=server', '-k', 'config/default'], project, { KUBECONFIG: started.kubeconfigPath });
    expect(output).toContain('deployment.apps/shop-controller-manager created (server dry run)');
    expect(output).toContain('clusterrole.rbac.authorization.k8s.io/shop-manager-role created (server dry run)');
    expect(output).not.toMatch(/would violate PodSecurity|Error from server/);

    const deployment = rendered.find((o) => o.kind === 'Deployment');
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'manager-admission-check', namespace }, spec: deployment?.spec?.template?.spec };
    const admitted = await admin.create(Pod, pod as never, { dryRun: true });
    expect(admitted.metadata?.name).toBe('manager-admission-check');
    // the same Pod without its securityContext is refused: the namespace does enforce restricted
    const loose = structuredClone(pod) as { spec: { securityContext?: unknown; containers: Array<{ securityContext?: unknown }> } };
    delete loose.spec.securityContext;
    for (const c of loose.spec.containers) delete c.securityContext;
    const refused = await admin.create(Pod, loose as never, { dryRun: true }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ApiError);
    expect((refused as ApiError).message).toMatch(/violates PodSecurity "restricted/);
  });

  test('the Dockerfile is multi-stage and non-root, and its production install (npm ci --omit=dev) runs the operator as its ServiceAccount with zero 403s; deleting the Shop garbage-collects what it owned', async () => {
    const dockerfile = readFileSync(join(project, 'Dockerfile'), 'utf8');
    const stages = dockerfile.split('\n').filter((l) => l.startsWith('FROM '));
    expect(stages).toHaveLength(2);
    const finalStage = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
    expect(finalStage).toMatch(/^USER [1-9]\d*(:\d+)?$/m);
    const install = /^RUN (npm ci --omit=dev[^&\n]*)/m.exec(finalStage)?.[1]?.trim();
    expect(install).toBeDefined();
    expect(finalStage).toContain('COPY --from=build /app/dist/src ./dist/src');

    // the image's tree, built the way the final stage builds it
    mkdirSync(staging);
    writeProductionManifests(project, staging);
    run('npm ci --omit=dev (staging)', 'sh', ['-c', install as string], staging);
    cpSync(join(project, 'dist/src'), join(staging, 'dist/src'), { recursive: true });
    expect(existsSync(join(staging, 'node_modules/vitest'))).toBe(false);
    expect(existsSync(join(staging, 'node_modules/typescript'))).toBe(false);

    const operator = await issueOperatorIdentity(env, { rbacDir: join(project, 'config/rbac'), namespace: 'default' });
    const [metricsPort, healthPort] = [await freePort(), await freePort()];
    const child = spawn(process.execPath, ['dist/src/main.js'], {
      cwd: staging,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { PATH: process.env['PATH'], NODE_ENV: 'production', KUBECONFIG: operator.kubeconfigPath, POD_NAMESPACE: 'default', METRICS_BIND_ADDRESS: `127.0.0.1:${metricsPort}`, HEALTH_PROBE_BIND_ADDRESS: `127.0.0.1:${healthPort}` },
    });
    let logs = '';
    child.stdout.on('data', (c: Buffer) => (logs += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (logs += c.toString('utf8')));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      await eventually(async () => (await fetch(`http://127.0.0.1:${healthPort}/readyz`).catch(() => undefined))?.ok === true, { timeoutMs: 60_000, what: `/readyz (all informers synced; logs: ${logs})` });
      const sample = parseAllDocuments(readFileSync(join(project, 'config/samples/shop.example.com_v1alpha1_shop.yaml'), 'utf8'))[0]?.toJS() as Shop;
      await admin.apply(Shop, { ...sample, metadata: { name: sample.metadata?.name ?? '', namespace: 'default' } }, { fieldManager: 'e2e' });
      const key = { namespace: 'default', name: sample.metadata?.name ?? '' };
      await eventually(async () => (await admin.get(Shop, key)).status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'), { timeoutMs: 60_000, what: `Ready=True (logs: ${logs})` });
      const deployment = await admin.get(Deployment, key);
      const service = await admin.get(Service, key);
      for (const owned of [deployment, service]) expect(owned.metadata?.ownerReferences?.[0]).toMatchObject({ kind: 'Shop', controller: true, blockOwnerDeletion: true });
      expect((await admin.get(Shop, key)).metadata?.finalizers).toContain('shop.example.com/cleanup');

      await admin.delete(Shop, key);
      const gone = async (resource: Resource): Promise<boolean> => admin.get(resource, key).then(() => false, (err: unknown) => isNotFound(err) || Promise.reject(err));
      await eventually(async () => (await gone(Shop)) && (await gone(Deployment)) && (await gone(Service)), { timeoutMs: 90_000, what: `the Shop, then its Deployment and Service (GC) to be gone (logs: ${logs})` });
      expect(logs).toContain('cleaning up');
      expect(logs).not.toMatch(/\bforbidden\b|\b403\b(?!Z)/i); // not the ".403Z" of a timestamp

      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      child.kill('SIGKILL');
    }
  });

  test('the generated project\'s own npm test (RBAC --check, the controller as its ServiceAccount) passes', () => {
    const output = run('npm test', 'npm', ['test'], project);
    expect(output).toContain('RBAC up to date');
    expect(output).toMatch(/Tests\s+\d+ passed/);
    expect(output).not.toMatch(/Tests\s+.*failed/);
  });

  test('opkit dev takes the project to a reconciled sample, restarts the operator on a source change, regenerates the types and re-applies the CRD on a schema change, stops everything on Ctrl-C, and a restart keeps the data', async () => {
    const startDev = () => {
      let out = '';
      const child = spawn(process.execPath, [OPKIT, 'dev'], { cwd: project, stdio: ['ignore', 'pipe', 'pipe'], env: { ...childEnv, KUBECONFIG: '' } });
      child.stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
      child.stderr.on('data', (c: Buffer) => (out += c.toString('utf8')));
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      return { child, exited, output: () => out };
    };
    const devClient = (): { client: Client; close: () => void } => {
      const kc = new KubeConfig();
      kc.loadFromFile(join(project, '.opkit', 'dev', 'kubeconfig'));
      const t = createTransport(kc);
      return { client: createClient(t), close: () => t.close() };
    };
    const readyMessage = async (client: Client): Promise<string | undefined> =>
      (await client.get(Shop, { namespace: 'default', name: 'shop-sample' })).status?.conditions?.find((c) => c.type === 'Ready' && c.status === 'True')?.message;

    let dev = startDev();
    let conn: { client: Client; close: () => void } | undefined;
    try {
      await eventually(() => dev.output().includes('opkit dev: operator:'), { timeoutMs: 120_000, what: `opkit dev to run the operator (output: ${dev.output()})` });
      expect(dev.output()).toMatch(/opkit dev: try: +KUBECONFIG=\S+\/\.opkit\/dev\/kubeconfig kubectl get shops -A/);
      conn = devClient();
      const { client } = conn;
      expect(await eventually(() => readyMessage(client), { timeoutMs: 60_000, what: `the sample to be Ready (output: ${dev.output()})` })).toBe('Deployment and Service exist');
      expect((await client.get(Deployment, { namespace: 'default', name: 'shop-sample' })).metadata?.ownerReferences?.[0]?.kind).toBe('Shop');

      const file = join(project, 'src/controllers/shop.controller.ts');
      writeFileSync(file, readFileSync(file, 'utf8').replace("message: 'Deployment and Service exist'", "message: 'edited while opkit dev ran'"));
      await eventually(async () => (await readyMessage(client)) === 'edited while opkit dev ran', { timeoutMs: 30_000, what: `the restarted operator to reconcile (output: ${dev.output()})` });
      expect(dev.output()).toContain('restarted the operator (src/controllers/shop.controller.ts)');

      // a schema change: the types are regenerated and the API server serves the new field
      const crdFile = join(project, 'config/crd/shop.example.com_shops.yaml');
      const fooField = /( +)foo:\n(?:\1 +.*\n)+/;
      expect(readFileSync(crdFile, 'utf8')).toMatch(fooField);
      writeFileSync(crdFile, readFileSync(crdFile, 'utf8').replace(fooField, (foo, indent: string) => `${foo}${indent}tier:\n${indent}  description: Tier is added while opkit dev runs.\n${indent}  type: string\n`));
      const types = join(project, 'src/api/shop.example.com/v1alpha1/index.ts');
      await eventually(() => readFileSync(types, 'utf8').includes('tier?: string'), { timeoutMs: 30_000, what: `src/api to be regenerated with spec.tier (output: ${dev.output()})` });
      await eventually(
        async () => {
          const crd = await client.get(CustomResourceDefinition, { name: 'shops.shop.example.com' });
          return crd.spec.versions[0]?.schema?.openAPIV3Schema?.properties?.['spec']?.properties?.['tier']?.type === 'string';
        },
        { timeoutMs: 30_000, what: `the API server's Shop CRD to have spec.tier (output: ${dev.output()})` },
      );
      await eventually(() => dev.output().includes('restarted the operator (config/crd/shop.example.com_shops.yaml)'), { timeoutMs: 30_000, what: 'the operator restart for the CRD change' });
      expect(dev.output()).not.toMatch(/RBAC forbids|ForbiddenError/);
    } finally {
      conn?.close();
      dev.child.kill('SIGINT');
    }
    expect(await dev.exited).toBe(0);
    expect(dev.output()).toContain('opkit dev: stopped');
    // etcd, kube-apiserver and kube-controller-manager (data in .opkit/dev) and the operator (the project's tsx) are gone
    expect(processesMatching(project)).toEqual([]);

    dev = startDev();
    try {
      await eventually(() => dev.output().includes('opkit dev: operator:'), { timeoutMs: 60_000, what: 'opkit dev to start again' });
      conn = devClient();
      // the sample and its status survived: the control plane resumed its data
      expect(await readyMessage(conn.client)).toBe('edited while opkit dev ran');
    } finally {
      conn?.close();
      dev.child.kill('SIGINT');
    }
    expect(await dev.exited).toBe(0);
  });
});
