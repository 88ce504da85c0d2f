import { cpSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { main as createOperator } from '../../../cli/create-operator.js';
import { main as opkit } from '../../../cli/opkit.js';
import { generateProjectTypes } from '../../../generators/shared/types.js';
import { captureIo, readTree, tempDir } from './support.js';

const tmp = tempDir();
const template = join(tmp.dir, 'template');
let copies = 0;

beforeAll(async () => {
  const captured = captureIo(tmp.dir);
  const code = await createOperator(['template', '--yes', '--skip-install', '--skip-git', '--group', 'webapp', '--kind', 'Webapp'], captured.io);
  expect(code).toBe(0);
}, 60_000);
afterAll(() => tmp.remove());

function project(): string {
  copies += 1;
  const dir = join(tmp.dir, `project-${copies}`);
  cpSync(template, dir, { recursive: true });
  return dir;
}

async function run(cwd: string, args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const captured = captureIo(cwd);
  const code = await opkit(args, captured.io);
  return { code, stdout: captured.stdout(), stderr: captured.stderr() };
}
const createWebhook = (cwd: string, args: readonly string[]) => run(cwd, ['create', 'webhook', ...args]);

interface Webhook {
  name: string;
  failurePolicy: string;
  sideEffects: string;
  timeoutSeconds: number;
  admissionReviewVersions: string[];
  namespaceSelector: unknown;
  clientConfig: { service: { name: string; namespace: string; path: string } };
  rules: Array<{ apiGroups: string[]; apiVersions: string[]; operations: string[]; resources: string[] }>;
}

describe('opkit create webhook --defaulting --validation', { timeout: 60_000 }, () => {
  let dir: string;
  let before: Record<string, string>;
  let after: Record<string, string>;

  beforeAll(async () => {
    dir = project();
    before = readTree(dir);
    const result = await createWebhook(dir, ['--kind', 'Webapp', '--defaulting', '--validation']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Added defaulting, validation webhooks for Webapp (webapp.example.com)');
    after = readTree(dir);
  }, 60_000);

  test('writes the handlers, their test, config/webhook and the cert-manager overlay', () => {
    expect(Object.keys(after).filter((f) => !(f in before))).toEqual([
      'config/certmanager/certificate.yaml',
      'config/certmanager/kustomization.yaml',
      'config/certmanager/manager_certmanager_patch.yaml',
      'config/default/manager_webhook_patch.yaml',
      'config/webhook/kustomization.yaml',
      'config/webhook/manifests.yaml',
      'config/webhook/service.yaml',
      'src/webhooks/webapp.webhook.ts',
      'test/webapp.webhook.test.ts',
    ]);
    expect(Object.keys(after).filter((f) => f in before && after[f] !== before[f]).sort()).toEqual(['config/default/kustomization.yaml', 'config/rbac/role.yaml', 'config/rbac/role_binding.yaml', 'src/main.ts']);
  });

  test('the configurations fail closed, have no side effects, time out in 10 s and leave the operator\'s namespace alone', () => {
    const docs = parseAllDocuments(after['config/webhook/manifests.yaml'] ?? '').map((d) => d.toJS() as { kind: string; metadata: { name: string }; webhooks: Webhook[] });
    expect(docs.map((d) => [d.kind, d.metadata.name])).toEqual([
      ['MutatingWebhookConfiguration', 'mutating-webhook-configuration'],
      ['ValidatingWebhookConfiguration', 'validating-webhook-configuration'],
    ]);
    const [mutating, validating] = docs.map((d) => d.webhooks[0] as Webhook);
    for (const webhook of [mutating, validating]) {
      expect(webhook).toMatchObject({ failurePolicy: 'Fail', sideEffects: 'None', timeoutSeconds: 10, admissionReviewVersions: ['v1'] });
      expect(webhook?.namespaceSelector).toEqual({ matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: ['template-system'] }] });
      expect(webhook?.clientConfig.service).toMatchObject({ name: 'webhook-service', namespace: 'system' });
    }
    expect(mutating?.clientConfig.service.path).toBe('/mutate-webapp-example-com-v1alpha1-webapp');
    expect(validating?.clientConfig.service.path).toBe('/validate-webapp-example-com-v1alpha1-webapp');
    expect(validating?.rules).toEqual([{ apiGroups: ['webapp.example.com'], apiVersions: ['v1alpha1'], operations: ['CREATE', 'UPDATE', 'DELETE'], resources: ['webapps'], scope: 'Namespaced' }]);
    const service = parse(after['config/webhook/service.yaml'] ?? '') as { spec: { ports: Array<{ port: number; targetPort: string }> } };
    expect(service.spec.ports).toEqual([{ name: 'webhook', port: 443, protocol: 'TCP', targetPort: 'webhook-server' }]);
    const kustomization = parse(after['config/default/kustomization.yaml'] ?? '') as { resources: string[]; patches: Array<{ path: string }> };
    expect(kustomization.resources).toContain('../webhook');
    expect(kustomization.patches).toEqual([{ path: 'manager_webhook_patch.yaml' }]);
    expect(after['config/default/manager_webhook_patch.yaml']).toMatch(/containerPort: 9443/);
  });

  test('edits main.ts through its syntax tree: webhook server options, self-managed certificates, the registration before start', () => {
    const main = after['src/main.ts'] ?? '';
    expect(main).toContain("import { registerWebappWebhooks } from './webhooks/webapp.webhook.js';");
    expect(main).toContain("import { WebhookCertManager } from '@opkit/runtime/webhook/certs';");
    expect(main).toMatch(/webhook: \{ port: 9443, certDir: process\.env\['WEBHOOK_CERT_DIR'\] \?\? '\/tmp\/k8s-webhook-server\/serving-certs' \}/);
    expect(main).toContain("webhookConfigurations: { mutating: ['template-mutating-webhook-configuration'], validating: ['template-validating-webhook-configuration'] },");
    // a failed first sync is reported as one line by the template's report(), as other start failures are
    expect(main).toContain('await webhookCerts.sync().catch((err: unknown) => {\n    report(err);\n    return process.exit();\n  });');
    const order = ['registerWebappController(mgr);', 'registerWebappWebhooks(mgr);', 'await webhookCerts.sync()', 'mgr.add(webhookCerts);', 'await mgr.start('].map((s) => main.indexOf(s));
    expect(order.every((at) => at >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
  });

  test('opkit generate rbac (run by the command) grants exactly the certificate manager\'s objects', () => {
    const roles = parseAllDocuments(after['config/rbac/role.yaml'] ?? '').map((d) => d.toJS() as { kind: string; rules: Array<{ resources: string[]; resourceNames?: string[]; verbs: string[] }> });
    const cluster = roles.find((r) => r.kind === 'ClusterRole');
    expect(cluster?.rules.filter((r) => r.resources[0]?.endsWith('webhookconfigurations'))).toEqual([
      { apiGroups: ['admissionregistration.k8s.io'], resources: ['mutatingwebhookconfigurations'], resourceNames: ['template-mutating-webhook-configuration'], verbs: ['get', 'update'] },
      { apiGroups: ['admissionregistration.k8s.io'], resources: ['validatingwebhookconfigurations'], resourceNames: ['template-validating-webhook-configuration'], verbs: ['get', 'update'] },
    ]);
    expect(roles.find((r) => r.kind === 'Role')?.rules).toEqual([
      { apiGroups: [''], resources: ['secrets'], verbs: ['create'] },
      { apiGroups: [''], resources: ['secrets'], resourceNames: ['template-webhook-server-cert'], verbs: ['get', 'update'] },
    ]);
  });

  test('the handler file follows the admission builder (paths, defaulter, validator with a field path)', () => {
    const handlers = after['src/webhooks/webapp.webhook.ts'] ?? '';
    expect(handlers).toContain('admissionFor(mgr, Webapp)');
    expect(handlers).toContain('.defaulter(defaultWebapp)');
    expect(handlers).toContain("throw new AdmissionDenied({ message: 'spec.foo must not be empty', field: 'spec.foo' });");
  });

  test('a second run refuses the existing webhooks without --force and changes nothing', async () => {
    const again = await createWebhook(dir, ['--kind', 'Webapp', '--validation']);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/src\/webhooks\/webapp\.webhook\.ts already exists \(kind Webapp has webhooks\); pass --force/);
    expect(readTree(dir)).toEqual(after);
  });

  test('--force regenerates: the same files, nothing duplicated in main.ts or the manifests', async () => {
    const forced = await createWebhook(dir, ['--kind', 'Webapp', '--defaulting', '--validation', '--force']);
    expect(forced.stderr).toBe('');
    expect(forced.code).toBe(0);
    expect(readTree(dir)).toEqual(after);
  });
});

describe('opkit create webhook: bad input', { timeout: 60_000 }, () => {
  test('a kind that does not exist: exit 1, the kind named, the known kinds listed, nothing written', async () => {
    const dir = project();
    const before = readTree(dir);
    const result = await createWebhook(dir, ['--kind', 'Gadget', '--defaulting']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/kind Gadget does not exist in this project: config\/crd has Webapp \(webapp\.example\.com, v1alpha1; config\/crd\/webapp\.example\.com_webapps\.yaml\)\. Add it first with `opkit create api --group <group> --version <version> --kind Gadget`/);
    expect(result.stderr).toMatch(/Nothing was written/);
    expect(readTree(dir)).toEqual(before);
  });

  test('--conversion on a kind with one version: exit 1 naming the fix, nothing written', async () => {
    const dir = project();
    const before = readTree(dir);
    const result = await createWebhook(dir, ['--kind', 'Webapp', '--conversion']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/--conversion needs two versions of Webapp.*has only v1alpha1; add one first with `opkit create api --group <group> --version <v2> --kind Webapp`/);
    expect(readTree(dir)).toEqual(before);
  });

  test('a main.ts it does not understand: exit 1, nothing written (not even config/webhook)', async () => {
    const dir = project();
    writeFileSync(join(dir, 'src/main.ts'), "import { Manager } from '@opkit/runtime';\nexport function make(): Manager {\n  return new Manager({ kubeConfig: undefined as never });\n}\n");
    const before = readTree(dir);
    const result = await createWebhook(dir, ['--kind', 'Webapp', '--validation']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/src\/main\.ts: no top-level `const <name> = new Manager\(\.\.\.\)`.*Nothing was written/);
    expect(readTree(dir)).toEqual(before);
  });

  test('missing flags are a usage error (exit 2)', async () => {
    const dir = project();
    expect((await createWebhook(dir, ['--kind', 'Webapp'])).code).toBe(2);
    expect((await createWebhook(dir, ['--validation'])).code).toBe(2);
  });
});

describe('conversion: opkit create api --conversion and opkit create webhook --conversion', { timeout: 60_000 }, () => {
  test('a second version with --conversion: the CRD gets conversion.strategy Webhook, hub/spoke files, the round-trip test, main.ts registers it', async () => {
    const dir = project();
    const before = readTree(dir);
    const added = await run(dir, ['create', 'api', '--group', 'webapp', '--version', 'v1', '--kind', 'Webapp', '--conversion']);
    expect(added.stderr).toBe('');
    expect(added.code).toBe(0);
    expect(added.stdout).not.toMatch(/customInstallTask/);
    expect(added.stdout).toMatch(/Next: fast-check was added to devDependencies \(the conversion round-trip test needs it\): run npm install first\. npm run build && npm test/);
    const after = readTree(dir);
    expect(Object.keys(after).filter((f) => !(f in before))).toEqual(expect.arrayContaining(['src/webhooks/webapp.conversion.ts', 'test/webapp.conversion.test.ts', 'config/webhook/service.yaml', 'src/api/webapp.example.com/v1/index.ts']));
    const crd = parse(after['config/crd/webapp.example.com_webapps.yaml'] ?? '') as { spec: { conversion: unknown; versions: Array<{ name: string; storage: boolean }> } };
    expect(crd.spec.versions.map((v) => [v.name, v.storage])).toEqual([['v1alpha1', true], ['v1', false]]);
    expect(crd.spec.conversion).toEqual({ strategy: 'Webhook', webhook: { conversionReviewVersions: ['v1'], clientConfig: { service: { name: 'webhook-service', namespace: 'system', path: '/convert' } } } });
    const conversion = after['src/webhooks/webapp.conversion.ts'] ?? '';
    expect(conversion).toContain('export const webappConversion = defineConversion({ hub: WebappV1alpha1 })');
    expect(conversion).toContain('.spoke(WebappV1, {');
    expect(conversion).toContain('conversionFor(mgr, webappConversion).complete();');
    expect(JSON.parse(after['package.json'] ?? '{}')).toMatchObject({ devDependencies: { 'fast-check': expect.stringMatching(/^\^4\./) } });
    const main = after['src/main.ts'] ?? '';
    expect(main).toContain('registerWebappConversion(mgr);');
    expect(main).toContain("crds: ['webapps.webapp.example.com'],");
    expect(main).toContain('webhookConfigurations: { mutating: [], validating: [] },');
    expect(after['config/certmanager/kustomization.yaml']).toMatch(/kind: CustomResourceDefinition\n\s+name: webapps\.webapp\.example\.com/);
    const roles = parseAllDocuments(after['config/rbac/role.yaml'] ?? '').map((d) => d.toJS() as { kind: string; rules: Array<{ resources: string[]; resourceNames?: string[] }> });
    expect(roles.find((r) => r.kind === 'ClusterRole')?.rules.find((r) => r.resources[0] === 'customresourcedefinitions')?.resourceNames).toEqual(['webapps.webapp.example.com']);
    // the types follow the CRD with its conversion (what npm run generate writes)
    const types = generateProjectTypes(new Map([['config/crd/webapp.example.com_webapps.yaml', after['config/crd/webapp.example.com_webapps.yaml'] ?? '']]));
    for (const [file, content] of types) expect(after[file], file).toBe(content);
  });

  test('then create webhook --defaulting adds the admission webhooks to the same certificate manager', async () => {
    const dir = project();
    expect((await run(dir, ['create', 'api', '--group', 'webapp', '--version', 'v1', '--kind', 'Webapp', '--conversion'])).code).toBe(0);
    const result = await createWebhook(dir, ['--kind', 'Webapp', '--defaulting']);
    expect(result.stderr).toBe('');
    const main = readTree(dir)['src/main.ts'] ?? '';
    expect(main.match(/new WebhookCertManager/g)).toHaveLength(1);
    expect(main).toContain("webhookConfigurations: { mutating: ['template-mutating-webhook-configuration'], validating: [] },");
    expect(main).toContain("crds: ['webapps.webapp.example.com'],");
  });

  test('--conversion on a new kind is refused naming create webhook, nothing written', async () => {
    const dir = project();
    const before = readTree(dir);
    const result = await run(dir, ['create', 'api', '--group', 'webapp', '--version', 'v1', '--kind', 'Gizmo', '--conversion']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/--conversion scaffolds the conversion of a new version of an existing kind; Gizmo v1 is a new kind/);
    expect(readTree(dir)).toEqual(before);
  });
});
