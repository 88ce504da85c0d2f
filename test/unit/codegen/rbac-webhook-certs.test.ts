import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { generateRbac } from '../../../codegen/rbac/generate-rbac.js';

const CONTROLLER = `import { controller, ConfigMap, type Manager } from '@opkit/runtime';
export function registerCmController(mgr: Manager): void {
  controller(mgr).for(ConfigMap).reconcile(async () => {});
}
`;

const MAIN = (certs: string, managerOptions = ''): string => `import { Manager } from '@opkit/runtime';
import { WebhookCertManager } from '@opkit/runtime/webhook/certs';
import { registerCmController } from './controllers/cm.controller.js';
const env = process.env;
const mgr = new Manager({ kubeConfig: undefined as never${managerOptions} });
registerCmController(mgr);
${certs}
`;

const CERTS = `const certs = new WebhookCertManager({
  client: mgr.apiReader,
  namespace: env['POD_NAMESPACE'] ?? 'default',
  secretName: 'my-op-webhook-server-cert',
  serviceName: 'my-op-webhook-service',
  certDir: '/tmp/k8s-webhook-server/serving-certs',
  webhookConfigurations: { mutating: ['my-op-mutating-webhook-configuration'], validating: ['my-op-validating-webhook-configuration'] },
  crds: ['widgets.example.com'],
});
mgr.add(certs);`;

const dirs: string[] = [];
function project(main: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'opkit-rbac-certs-'));
  dirs.push(dir);
  for (const [path, text] of Object.entries({ 'src/main.ts': main, 'src/controllers/cm.controller.ts': CONTROLLER })) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}
const docs = (dir: string, file: string): Array<Record<string, unknown>> =>
  parseAllDocuments(readFileSync(join(dir, 'config/rbac', file), 'utf8')).map((d) => d.toJS() as Record<string, unknown>);

afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('opkit generate rbac for a WebhookCertManager', () => {
  it('grants exactly its Secret (in the operator namespace), the named webhook configurations and CRDs', async () => {
    const dir = project(MAIN(CERTS));
    await generateRbac({ cwd: dir });
    const roles = docs(dir, 'role.yaml');
    const cluster = roles.find((r) => r['kind'] === 'ClusterRole') as { rules: unknown[] };
    expect(cluster.rules).toEqual([
      { apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'list', 'watch'] },
      { apiGroups: ['admissionregistration.k8s.io'], resources: ['mutatingwebhookconfigurations'], resourceNames: ['my-op-mutating-webhook-configuration'], verbs: ['get', 'update'] },
      { apiGroups: ['admissionregistration.k8s.io'], resources: ['validatingwebhookconfigurations'], resourceNames: ['my-op-validating-webhook-configuration'], verbs: ['get', 'update'] },
      { apiGroups: ['apiextensions.k8s.io'], resources: ['customresourcedefinitions'], resourceNames: ['widgets.example.com'], verbs: ['get', 'update'] },
      { apiGroups: ['events.k8s.io'], resources: ['events'], verbs: ['create', 'patch'] },
    ]);
    // The Secret lives in the operator's namespace (kustomize's `system`), in a Role there, bound to its ServiceAccount.
    const own = roles.find((r) => r['kind'] === 'Role') as { metadata: { namespace: string }; rules: unknown[] };
    expect(own.metadata.namespace).toBe('system');
    expect(own.rules).toEqual([
      { apiGroups: [''], resources: ['secrets'], verbs: ['create'] },
      { apiGroups: [''], resources: ['secrets'], resourceNames: ['my-op-webhook-server-cert'], verbs: ['get', 'update'] },
    ]);
    const binding = docs(dir, 'role_binding.yaml').find((b) => b['kind'] === 'RoleBinding');
    expect(binding).toMatchObject({ metadata: { namespace: 'system' }, subjects: [{ kind: 'ServiceAccount', name: 'controller-manager', namespace: 'system' }] });
  });

  it('without a WebhookCertManager, no Secret, webhook configuration or CRD rule is generated', async () => {
    const dir = project(MAIN(''));
    await generateRbac({ cwd: dir });
    const text = readFileSync(join(dir, 'config/rbac/role.yaml'), 'utf8');
    expect(text).not.toMatch(/secrets|webhookconfigurations|customresourcedefinitions/);
    expect(docs(dir, 'role.yaml').map((r) => r['kind'])).toEqual(['ClusterRole']);
  });

  it('a namespaced manager keeps the webhook configurations and CRDs in the ClusterRole (they are cluster-scoped)', async () => {
    const dir = project(MAIN(CERTS, ", namespace: 'team-a'"));
    await generateRbac({ cwd: dir });
    const roles = docs(dir, 'role.yaml') as Array<{ kind: string; metadata: { namespace?: string }; rules: Array<{ resources: string[] }> }>;
    const cluster = roles.find((r) => r.kind === 'ClusterRole');
    expect(cluster?.rules.flatMap((r) => r.resources)).toEqual(['mutatingwebhookconfigurations', 'validatingwebhookconfigurations', 'customresourcedefinitions']);
    expect(roles.find((r) => r.metadata.namespace === 'team-a')?.rules.flatMap((r) => r.resources)).toEqual(['configmaps', 'events']);
  });

  it('a configuration name that is not a literal is an error naming the file, line and option, and nothing is written', async () => {
    const dir = project(MAIN(CERTS.replace("validating: ['my-op-validating-webhook-configuration']", 'validating: [names.validating]')));
    await expect(generateRbac({ cwd: dir })).rejects.toThrow(/^src\/main\.ts:\d+:\d+: cannot read webhookConfigurations\.validating of new WebhookCertManager\(…\): write it as a string literal/);
    expect(() => readFileSync(join(dir, 'config/rbac/role.yaml'))).toThrow();
  });
});
