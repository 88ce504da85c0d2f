/**
 * End to end, as a user would: scaffold with the built CLI, install, build (tsc strict), run the
 * generated project's tests against a real control plane, add a second kind with `opkit create
 * api`, and build and test again. Needs `npm run build` first (the root `test` script does it) and
 * the control-plane binaries (the generated project's `pretest` builds them when missing).
 */
import { spawn, spawnSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import tls from 'node:tls';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { ClusterRole, ClusterRoleBinding, Deployment, Lease, MutatingWebhookConfiguration, Namespace, Role, RoleBinding, Secret, ServiceAccount, ValidatingWebhookConfiguration } from '../../runtime/src/api/builtins.js';
import type { KubeObject, Resource } from '../../runtime/src/api/resource.js';
import { createClient } from '../../runtime/src/client/client.js';
import { createTransport } from '../../runtime/src/client/transport.js';
import { TestEnvironment } from '../../runtime/src/testing/environment.js';
import { issueOperatorIdentity } from '../../runtime/src/testing/operator-identity.js';
import { freePort } from '../../runtime/src/testing/ports.js';
import { eventually } from '../support/poll.js';
import { stepRunner } from '../support/steps.js';

/** The parts of a rendered manifest the overlay checks read (kubectl kustomize output). */
interface RenderedObject extends KubeObject {
  webhooks?: Array<{ clientConfig: { service?: { name: string; namespace: string } } }>;
  spec?: {
    selector?: Record<string, string>;
    ports?: Array<{ targetPort?: string | number }>;
    secretName?: string;
    dnsNames?: string[];
    issuerRef?: { name: string };
    template?: {
      metadata?: { labels?: Record<string, string> };
      spec?: {
        containers?: Array<{ env?: Array<{ name: string; value?: string }>; ports?: Array<{ name?: string; containerPort: number }>; volumeMounts?: Array<{ name: string; mountPath: string }> }>;
        volumes?: Array<{ name: string; emptyDir?: object; secret?: { secretName: string } }>;
      };
    };
  };
}

const ROOT = join(import.meta.dirname, '..', '..');
const CREATE_OPERATOR = join(ROOT, 'dist', 'cli', 'create-operator.js');
const tmp = mkdtempSync(join(tmpdir(), 'opkit-e2e-'));
const project = join(tmp, 'webapp-operator');
const { run, record, report } = stepRunner();

beforeAll(() => {
  if (!existsSync(CREATE_OPERATOR)) throw new Error(`${CREATE_OPERATOR} is missing: run npm run build first`);
});

afterAll(() => {
  console.log(report('e2e timings:'));
  rmSync(tmp, { recursive: true, force: true });
});

describe('create-operator from a checkout', () => {
  test('npx create-operator runs the checkout\'s bin', () => {
    const output = run('npx create-operator --help', 'npx', ['--no-install', 'create-operator', '--help'], ROOT);
    expect(output).toContain('Usage: create-operator [dir] [options]');
  });
});

describe('a generated operator', () => {
  test('scaffolds and installs with the built create-operator, without rebuilding the checkout', () => {
    const builtAt = statSync(CREATE_OPERATOR).mtimeMs;
    const output = run('create-operator (with npm install)', process.execPath, [CREATE_OPERATOR, 'webapp-operator', '--yes', '--skip-git'], tmp);
    expect(output).toContain('Installed dependencies');
    expect(existsSync(join(project, 'node_modules', '@opkit', 'runtime', 'package.json'))).toBe(true);
    expect(existsSync(join(project, 'node_modules', '.bin', 'opkit'))).toBe(true);
    // npm did not run the checkout's `prepare` (a rebuild). Only asserted in CI: in a shared
    // working tree another build may legitimately rewrite dist/ meanwhile.
    if (process.env['CI'] === 'true') expect(statSync(CREATE_OPERATOR).mtimeMs).toBe(builtAt);
  });

  test('builds with tsc strict', () => {
    run('npm run build', 'npm', ['run', 'build'], project);
    expect(existsSync(join(project, 'dist', 'src', 'main.js'))).toBe(true);
  });

  test('its main.ts, when the CRD is not installed, prints one line naming the kind and the fix, and exits 1', async () => {
    const env = new TestEnvironment();
    const { kubeconfigPath } = await env.start();
    try {
      const [metricsPort, healthPort] = [await freePort(), await freePort()];
      const child = spawn(process.execPath, ['dist/src/main.js'], {
        cwd: project,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, KUBECONFIG: kubeconfigPath, POD_NAMESPACE: 'default', METRICS_BIND_ADDRESS: `127.0.0.1:${metricsPort}`, HEALTH_PROBE_BIND_ADDRESS: `127.0.0.1:${healthPort}` },
      });
      let stderr = '';
      child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
      child.stdout.resume();
      // A manager that hangs instead of failing is killed (code null) and fails the assertion.
      const guard = setTimeout(() => child.kill('SIGKILL'), 60_000);
      const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
      clearTimeout(guard);
      expect(code, stderr).toBe(1);
      const lines = stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^webapp-operator: failed to sync the cache for Webapp\.v1alpha1\.webapp\.example\.com .*is not served by the API server.*Install its CRD/);
    } finally {
      await env.stop();
    }
  });

  test('its main.ts runs (leader election, /metrics, /healthz, /readyz, the controller, a clean SIGTERM) and its manifests are accepted', async () => {
    const start = performance.now();
    const env = new TestEnvironment({ crdPaths: [join(project, 'config/crd/webapp.example.com_webapps.yaml')] });
    const { kubeConfig, kubeconfigPath } = await env.start();
    const [metricsPort, healthPort] = [await freePort(), await freePort()];
    const child = spawn(process.execPath, ['dist/src/main.js'], {
      cwd: project,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, KUBECONFIG: kubeconfigPath, POD_NAMESPACE: 'default', METRICS_BIND_ADDRESS: `127.0.0.1:${metricsPort}`, HEALTH_PROBE_BIND_ADDRESS: `127.0.0.1:${healthPort}` },
    });
    let logs = '';
    child.stdout.on('data', (c: Buffer) => (logs += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (logs += c.toString('utf8')));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      const get = async (port: number, path: string): Promise<string | undefined> => {
        const res = await fetch(`http://127.0.0.1:${port}${path}`).catch(() => undefined);
        return res?.ok === true ? res.text() : undefined;
      };
      await eventually(() => get(healthPort, '/readyz'), { what: `/readyz of main.ts (logs: ${logs})` });
      expect(await get(healthPort, '/healthz')).toBeDefined();
      const client = createClient(createTransport(kubeConfig));
      const Webapp: Resource<KubeObject & { spec?: { foo?: string }; status?: { observedGeneration?: number } }> = {
        group: 'webapp.example.com', version: 'v1alpha1', kind: 'Webapp', plural: 'webapps', namespaced: true, subresources: { status: true },
      };
      await client.create(Webapp, { metadata: { name: 'sample', namespace: 'default' }, spec: { foo: 'bar' } });
      await eventually(async () => (await client.get(Webapp, { namespace: 'default', name: 'sample' })).status?.observedGeneration === 1, { what: 'status.observedGeneration' });
      const lease = await client.get(Lease, { namespace: 'default', name: 'webapp-leader-election' });
      expect(lease.spec?.holderIdentity).toBeTruthy();
      const metrics = (await get(metricsPort, '/metrics')) ?? '';
      expect(metrics).toMatch(/controller_runtime_reconcile_total\{controller="webapp",result="success"\} [1-9]/);
      expect(metrics).toMatch(/leader_election_master_status\{name="webapp-leader-election"\} 1/);
      child.kill('SIGTERM');
      expect(await exited).toBe(0);

      // The RBAC and manager manifests are accepted by the API server as they are (kustomize only
      // adds a namespace and a name prefix).
      const byKind: Record<string, Resource> = { Namespace, ServiceAccount, ClusterRole, ClusterRoleBinding, Role, RoleBinding, Deployment };
      const files = ['config/manager/manager.yaml', 'config/rbac/service_account.yaml', 'config/rbac/role.yaml', 'config/rbac/role_binding.yaml', 'config/rbac/leader_election_role.yaml', 'config/rbac/leader_election_role_binding.yaml'];
      const created: string[] = [];
      for (const file of files) {
        for (const doc of parseAllDocuments(readFileSync(join(project, file), 'utf8'))) {
          const object = doc.toJS() as KubeObject;
          const resource = byKind[object.kind ?? ''];
          if (resource === undefined) throw new Error(`${file}: unexpected kind ${String(object.kind)}`);
          await client.create(resource, object);
          created.push(`${object.kind ?? ''}/${object.metadata?.name ?? ''}`);
        }
      }
      expect(created).toEqual([
        'Namespace/system',
        'Deployment/controller-manager',
        'ServiceAccount/controller-manager',
        'ClusterRole/manager-role',
        'ClusterRoleBinding/manager-rolebinding',
        'Role/leader-election-role',
        'RoleBinding/leader-election-rolebinding',
      ]);
    } finally {
      child.kill('SIGKILL');
      await env.stop();
      record('main.ts against a control plane', performance.now() - start);
    }
  });

  test('npm run generate reproduces the generated types exactly', () => {
    const before = readFileSync(join(project, 'src/api/webapp.example.com/v1alpha1/index.ts'), 'utf8');
    run('npm run generate', 'npm', ['run', 'generate'], project);
    expect(readFileSync(join(project, 'src/api/webapp.example.com/v1alpha1/index.ts'), 'utf8')).toBe(before);
  });

  test('passes its own controller test against a real control plane', () => {
    const output = run('npm test', 'npm', ['test'], project);
    expect(output).toMatch(/Tests\s+2 passed/); // the controller test and the samples check
  });

  test('opkit create api adds a second kind that builds and passes its test too', () => {
    run('opkit create api', join(project, 'node_modules', '.bin', 'opkit'), ['create', 'api', '--group', 'cache', '--version', 'v1', '--kind', 'Memcached'], project);
    expect(readFileSync(join(project, 'src/main.ts'), 'utf8')).toContain('registerMemcachedController(mgr);');
    run('npm run build (2 kinds)', 'npm', ['run', 'build'], project);
    const output = run('npm test (2 kinds)', 'npm', ['test'], project);
    expect(output).toMatch(/Tests\s+4 passed/); // two per kind
  });

  test('opkit create webhook adds defaulting and validating webhooks that build and pass their tests through the API server', () => {
    const opkitBin = join(project, 'node_modules', '.bin', 'opkit');
    const refused = spawnSync(opkitBin, ['create', 'webhook', '--kind', 'Gadget', '--validation'], { cwd: project, encoding: 'utf8' });
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(/kind Gadget does not exist in this project: config\/crd has Memcached .*; Webapp /);
    run('opkit create webhook', opkitBin, ['create', 'webhook', '--kind', 'Memcached', '--defaulting', '--validation'], project);
    expect(readFileSync(join(project, 'src/main.ts'), 'utf8')).toContain('registerMemcachedWebhooks(mgr);');
    run('npm run build (webhooks)', 'npm', ['run', 'build'], project);
    const output = run('npm test (webhooks)', 'npm', ['test'], project);
    // two per kind, and the webhook test's four: defaulted, denied, dry run, admitted
    expect(output).toMatch(/Tests\s+8 passed/);
    expect(output).toMatch(/memcached\.webhook\.test\.ts \(4 tests\)/);
  });

  test('its main.ts with webhooks keeps its own certificates as its ServiceAccount; without the rights it prints one line and exits 1', async () => {
    const env = new TestEnvironment({ crdPaths: [join(project, 'config/crd')] });
    const { kubeConfig, kubeconfigPath: adminKubeconfig } = await env.start();
    const children: ReturnType<typeof spawn>[] = [];
    const runMain = async (kubeconfigPath: string, certDir: string): Promise<{ child: ReturnType<typeof spawn>; output: () => string; exited: Promise<number | null>; healthPort: number }> => {
      const [metricsPort, healthPort] = [await freePort(), await freePort()];
      const child = spawn(process.execPath, ['dist/src/main.js'], {
        cwd: project,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, KUBECONFIG: kubeconfigPath, POD_NAMESPACE: 'default', WEBHOOK_CERT_DIR: certDir, METRICS_BIND_ADDRESS: `127.0.0.1:${metricsPort}`, HEALTH_PROBE_BIND_ADDRESS: `127.0.0.1:${healthPort}` },
      });
      children.push(child);
      let stderr = '';
      child.stderr?.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
      child.stdout?.resume();
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      return { child, output: () => stderr, exited, healthPort };
    };
    try {
      // No RBAC at all: the first request is the certificates' Secret, refused; one line, exit 1.
      const nobody = await env.issueIdentity({ user: 'nobody' });
      const refused = await runMain(nobody.kubeconfigPath, join(tmp, 'certs-nobody'));
      const guard = setTimeout(() => refused.child.kill('SIGKILL'), 60_000);
      const code = await refused.exited;
      clearTimeout(guard);
      expect(code, refused.output()).toBe(1);
      const lines = refused.output().trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^webapp-operator: .*secrets/);
      expect(existsSync(join(tmp, 'certs-nobody', 'tls.crt'))).toBe(false);

      // As its ServiceAccount, bound only to config/rbac, with the webhook configurations installed
      // under the names kustomize gives them (namePrefix webapp-).
      const admin = createClient(createTransport(kubeConfig));
      for (const doc of parseAllDocuments(readFileSync(join(project, 'config/webhook/manifests.yaml'), 'utf8'))) {
        const object = doc.toJS() as KubeObject;
        const resource = object.kind === 'MutatingWebhookConfiguration' ? MutatingWebhookConfiguration : ValidatingWebhookConfiguration;
        await admin.create(resource, { ...object, metadata: { ...object.metadata, name: `webapp-${object.metadata?.name ?? ''}` } });
      }
      const operator = await issueOperatorIdentity(env, { rbacDir: join(project, 'config/rbac'), namespace: 'default' });
      const certDir = join(tmp, 'certs');
      const main = await runMain(operator.kubeconfigPath, certDir);
      const ready = async (): Promise<boolean> => (await fetch(`http://127.0.0.1:${main.healthPort}/readyz`).catch(() => undefined))?.ok === true;
      await eventually(ready, { what: `/readyz of main.ts with webhooks (stderr: ${main.output()})` });

      const secret = await admin.get(Secret, { namespace: 'default', name: 'webapp-webhook-server-cert' });
      const fromSecret = (key: string): string => Buffer.from(secret.data?.[key] ?? '', 'base64').toString('utf8');
      expect(fromSecret('ca.crt')).toContain('BEGIN CERTIFICATE');
      expect(readFileSync(join(certDir, 'tls.crt'), 'utf8')).toBe(fromSecret('tls.crt'));
      const mutating = await admin.get(MutatingWebhookConfiguration, { name: 'webapp-mutating-webhook-configuration' });
      const validating = await admin.get(ValidatingWebhookConfiguration, { name: 'webapp-validating-webhook-configuration' });
      const bundles = [...(mutating.webhooks ?? []), ...(validating.webhooks ?? [])].map((w) => w.clientConfig.caBundle);
      expect(bundles.length).toBeGreaterThan(0);
      for (const bundle of bundles) expect(Buffer.from(bundle ?? '', 'base64').toString('utf8')).toBe(fromSecret('ca.crt'));

      // The webhook server serves the Secret's certificate, valid for the Service's name under that CA.
      const served = await new Promise<{ authorized: boolean; error: string | undefined; fingerprint: string }>((resolve, reject) => {
        const socket = tls.connect({ host: '127.0.0.1', port: 9443, servername: 'webapp-webhook-service.default.svc', ca: fromSecret('ca.crt') }, () => {
          resolve({ authorized: socket.authorized, error: socket.authorizationError?.message, fingerprint: socket.getPeerCertificate().fingerprint256 });
          socket.end();
        });
        socket.once('error', reject);
      });
      expect(served.error).toBeUndefined();
      expect(served.authorized).toBe(true);
      expect(served.fingerprint).toBe(new X509Certificate(fromSecret('tls.crt')).fingerprint256);

      // What a user applies: both overlays build with kubectl's kustomize, agree with each other and
      // with main.ts on every name, and config/default is accepted by the API server.
      const mainText = readFileSync(join(project, 'src/main.ts'), 'utf8');
      for (const overlay of ['config/default', 'config/certmanager'] as const) {
        const docs = parseAllDocuments(run(`kubectl kustomize ${overlay}`, 'kubectl', ['kustomize', overlay], project)).map((d) => d.toJS() as RenderedObject);
        const find = (kind: string, name?: string): RenderedObject => {
          const found = docs.find((d) => d.kind === kind && (name === undefined || d.metadata?.name === name));
          if (found === undefined) throw new Error(`${overlay}: no ${kind}${name === undefined ? '' : ` ${name}`}`);
          return found;
        };
        const service = find('Service', 'webapp-webhook-service');
        const namespace = service.metadata?.namespace ?? '';
        expect(mainText).toContain(`serviceName: '${service.metadata?.name ?? ''}'`);
        const webhooks = [...(find('MutatingWebhookConfiguration', 'webapp-mutating-webhook-configuration').webhooks ?? []), ...(find('ValidatingWebhookConfiguration', 'webapp-validating-webhook-configuration').webhooks ?? [])];
        expect(webhooks.length).toBeGreaterThan(0);
        for (const webhook of webhooks) expect(webhook.clientConfig.service).toMatchObject({ name: service.metadata?.name, namespace });
        const pod = find('Deployment').spec?.template;
        const container = pod?.spec?.containers?.[0];
        expect(pod?.metadata?.labels).toMatchObject(service.spec?.selector ?? { missing: 'selector' });
        expect(container?.ports).toContainEqual(expect.objectContaining({ name: service.spec?.ports?.[0]?.targetPort, containerPort: 9443 }));
        const certDir = container?.env?.find((e) => e.name === 'WEBHOOK_CERT_DIR')?.value;
        const mount = container?.volumeMounts?.find((m) => m.mountPath === certDir);
        const volume = pod?.spec?.volumes?.find((v) => v.name === mount?.name);
        expect(volume, `${overlay}: a volume at WEBHOOK_CERT_DIR`).toBeDefined();
        const certsFromCertManager = container?.env?.some((e) => e.name === 'WEBHOOK_CERTS' && e.value === 'cert-manager') === true;
        expect(certsFromCertManager).toBe(overlay === 'config/certmanager');
        if (overlay === 'config/default') {
          expect(volume?.emptyDir).toBeDefined(); // the operator writes its own certificates there
          // the objects go into the namespace the same apply creates: a dry run needs it to exist
          await admin.create(Namespace, { metadata: { name: namespace } });
          const applied = spawnSync('kubectl', ['apply', '--dry-run=server', '-k', overlay], { cwd: project, encoding: 'utf8', env: { ...process.env, KUBECONFIG: adminKubeconfig } });
          expect(applied.status, applied.stderr).toBe(0);
          expect(applied.stdout).toMatch(/mutatingwebhookconfiguration\.admissionregistration\.k8s\.io\/webapp-mutating-webhook-configuration (created|configured|unchanged) \(server dry run\)/);
        } else {
          const certificate = find('Certificate');
          expect(volume?.secret?.secretName).toBe(certificate.spec?.secretName);
          expect(mainText).toContain(`secretName: '${certificate.spec?.secretName ?? ''}'`);
          expect(certificate.spec?.dnsNames).toContain(`${service.metadata?.name ?? ''}.${namespace}.svc`);
          find('Issuer', certificate.spec?.issuerRef?.name);
          for (const kind of ['MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration']) {
            expect(find(kind).metadata?.annotations?.['cert-manager.io/inject-ca-from']).toBe(`${certificate.metadata?.namespace ?? ''}/${certificate.metadata?.name ?? ''}`);
          }
        }
      }

      main.child.kill('SIGTERM');
      expect(await main.exited, main.output()).toBe(0);
    } finally {
      for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
      await env.stop();
    }
  });

  test('opkit create api --conversion adds a second version with its conversion webhook, tested through the API server', () => {
    const output = run('opkit create api --conversion', join(project, 'node_modules', '.bin', 'opkit'), ['create', 'api', '--group', 'cache', '--version', 'v2', '--kind', 'Memcached', '--conversion'], project);
    expect(output).toContain('fast-check was added to devDependencies');
    run('npm install (fast-check)', 'npm', ['install', '--no-audit', '--no-fund'], project);
    run('npm run build (conversion)', 'npm', ['run', 'build'], project);
    const tested = run('npm test (conversion)', 'npm', ['test'], project);
    // the round trip (fast-check), a write at v2 read and updated at v1, the samples of both versions
    expect(tested).toMatch(/memcached\.conversion\.test\.ts \(3 tests\)/);
    expect(tested).toMatch(/Tests\s+11 passed/);
  });
});
