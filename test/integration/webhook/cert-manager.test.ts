/**
 * WebhookCertManager against the real API server, as the operator's ServiceAccount bound only to
 * what `opkit generate rbac` generates for it: the Secret is created, the caBundle is patched into
 * the webhook configurations and the CRD's conversion webhook, and renewals follow the schedule
 * when the (fake) clock moves forward.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CustomResourceDefinition, MutatingWebhookConfiguration, Namespace, Secret, ValidatingWebhookConfiguration } from '../../../runtime/src/api/builtins.js';
import { createClient, type Client } from '../../../runtime/src/client/client.js';
import { ApiError } from '../../../runtime/src/client/errors.js';
import { createTransport, type Transport } from '../../../runtime/src/client/transport.js';
import { issueOperatorIdentity, TestEnvironment } from '../../../runtime/src/testing/index.js';
import { FakeClock } from '../../../runtime/src/util/fake-clock.js';
import { WebhookCertManager } from '../../../runtime/src/webhook/certs/index.js';
import { splitPem } from '../../../runtime/src/webhook/certs/state.js';
import { generateRbac } from '../../../codegen/rbac/generate-rbac.js';

const DAY = 24 * 60 * 60 * 1000;
const MIN = 60 * 1000;
const NS = 'my-op-system';
const SERVICE = { name: 'my-op-webhook-service', namespace: NS };
const MUTATING = 'my-op-mutating-webhook-configuration';
const VALIDATING = 'my-op-validating-webhook-configuration';
const CRD = 'gizmos.example.com';

const OPTIONS = `{
  client: mgr.apiReader,
  namespace: env['POD_NAMESPACE'] ?? 'default',
  secretName: 'my-op-webhook-server-cert',
  serviceName: 'my-op-webhook-service',
  certDir: '/tmp/k8s-webhook-server/serving-certs',
  webhookConfigurations: { mutating: ['${MUTATING}'], validating: ['${VALIDATING}'] },
  crds: ['${CRD}'],
}`;

const MAIN = `import { Manager } from '@opkit/runtime';
import { WebhookCertManager } from '@opkit/runtime/webhook/certs';
const env = process.env;
const mgr = new Manager({ kubeConfig: undefined as never });
mgr.add(new WebhookCertManager(${OPTIONS}));
`;

describe('WebhookCertManager against the API server', () => {
  const env = new TestEnvironment();
  const transports: Transport[] = [];
  const dirs: string[] = [];
  let admin: Client;
  let operator: Client;

  const tempDir = (prefix: string): string => {
    const dir = mkdtempSync(join(tmpdir(), prefix));
    dirs.push(dir);
    return dir;
  };
  const webhook = (name: string, path: string) => ({
    name,
    clientConfig: { service: { ...SERVICE, path, port: 443 } },
    rules: [{ apiGroups: ['example.com'], apiVersions: ['v1'], operations: ['CREATE' as const], resources: ['gizmos'] }],
    sideEffects: 'None',
    admissionReviewVersions: ['v1'],
    failurePolicy: 'Ignore',
  });
  const bundles = async (): Promise<string[]> => {
    const mutating = await admin.get(MutatingWebhookConfiguration, { name: MUTATING });
    const validating = await admin.get(ValidatingWebhookConfiguration, { name: VALIDATING });
    const crd = await admin.get(CustomResourceDefinition, { name: CRD });
    return [...(mutating.webhooks ?? []), ...(validating.webhooks ?? [])]
      .map((w) => w.clientConfig.caBundle ?? '')
      .concat(crd.spec.conversion?.webhook?.clientConfig?.caBundle ?? '')
      .map((b) => Buffer.from(b, 'base64').toString('utf8'));
  };
  const secretText = async (key: string): Promise<string> => {
    const secret = await admin.get(Secret, { namespace: NS, name: 'my-op-webhook-server-cert' });
    return Buffer.from(secret.data?.[key] ?? '', 'base64').toString('utf8');
  };

  beforeAll(async () => {
    const { kubeConfig } = await env.start();
    const transport = createTransport(kubeConfig);
    transports.push(transport);
    admin = createClient(transport);
    await admin.create(Namespace, { metadata: { name: NS } });
    await admin.create(MutatingWebhookConfiguration, { metadata: { name: MUTATING }, webhooks: [webhook('mgizmo.example.com', '/mutate-example-com-v1-gizmo')] });
    await admin.create(ValidatingWebhookConfiguration, { metadata: { name: VALIDATING }, webhooks: [webhook('vgizmo.example.com', '/validate-example-com-v1-gizmo')] });
    await admin.create(CustomResourceDefinition, {
      metadata: { name: CRD },
      spec: {
        group: 'example.com',
        names: { kind: 'Gizmo', plural: 'gizmos', singular: 'gizmo', listKind: 'GizmoList' },
        scope: 'Namespaced',
        versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object', properties: { size: { type: 'integer' } } } } } } }],
        conversion: { strategy: 'Webhook', webhook: { conversionReviewVersions: ['v1'], clientConfig: { service: { ...SERVICE, path: '/convert', port: 443 } } } },
      },
    });

    // The operator's identity: the RBAC opkit generate rbac writes for this main.ts, and nothing more.
    const project = tempDir('opkit-certs-project-');
    for (const [path, text] of Object.entries({
      'src/main.ts': MAIN,
      'config/rbac/service_account.yaml': 'apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: controller-manager\n  namespace: system\n',
    })) {
      mkdirSync(dirname(join(project, path)), { recursive: true });
      writeFileSync(join(project, path), text);
    }
    await generateRbac({ cwd: project });
    const identity = await issueOperatorIdentity(env, { rbacDir: join(project, 'config/rbac'), namespace: NS });
    const opTransport = createTransport(identity.kubeConfig);
    transports.push(opTransport);
    operator = createClient(opTransport);
  });

  afterAll(async () => {
    for (const t of transports) t.close();
    await env.stop();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('creates the Secret, patches every caBundle, and renews the serving certificate and then the CA as fake time moves on, as the operator itself', async () => {
    const clock = new FakeClock({ start: Date.now() });
    const certDir = tempDir('opkit-certs-a-');
    const options = {
      client: operator,
      clock,
      namespace: NS,
      secretName: 'my-op-webhook-server-cert',
      serviceName: SERVICE.name,
      webhookConfigurations: { mutating: [MUTATING], validating: [VALIDATING] },
      crds: [CRD],
      caValidityMs: 300 * DAY,
      leafValidityMs: 120 * DAY,
    };
    const certs = new WebhookCertManager({ ...options, certDir });

    expect((await certs.sync()).steps).toEqual(['bootstrap']);
    const secret = await admin.get(Secret, { namespace: NS, name: 'my-op-webhook-server-cert' });
    expect(secret.type).toBe('kubernetes.io/tls');
    const firstBundle = await secretText('ca.crt');
    expect(await bundles()).toEqual([firstBundle, firstBundle, firstBundle]);
    const firstLeaf = await secretText('tls.crt');
    expect(readFileSync(join(certDir, 'tls.crt'), 'utf8')).toBe(firstLeaf);

    // A second replica reads the same Secret and writes the same files; it writes nothing itself.
    const otherDir = tempDir('opkit-certs-b-');
    const replica = new WebhookCertManager({ ...options, certDir: otherDir });
    expect(await replica.sync()).toMatchObject({ steps: [], patched: [] });
    expect(readFileSync(join(otherDir, 'tls.crt'), 'utf8')).toBe(firstLeaf);

    // 2/3 of the serving certificate's 120 days: a new one, same CA; and again 80 days later.
    await clock.advance(80 * DAY - MIN);
    expect((await certs.sync()).steps).toEqual([]);
    await clock.advance(MIN);
    expect((await certs.sync()).steps).toEqual(['renew-leaf']);
    expect(await secretText('tls.crt')).not.toBe(firstLeaf);
    expect(await bundles()).toEqual([firstBundle, firstBundle, firstBundle]);
    await clock.advance(80 * DAY);
    expect((await certs.sync()).steps).toEqual(['renew-leaf']);

    // 2/3 of the CA's 300 days (day 200): the new CA joins the old one in every caBundle; the leaf waits.
    await clock.advance(40 * DAY);
    const leafBefore = await secretText('tls.crt');
    expect((await certs.sync()).steps).toEqual(['rotate-ca']);
    const rotated = await bundles();
    expect(rotated.map((b) => splitPem(b).length)).toEqual([2, 2, 2]);
    expect(splitPem(rotated[0] ?? '')[1]).toBe(splitPem(firstBundle)[0]);
    expect(await secretText('tls.crt')).toBe(leafBefore);

    // After the propagation time the leaf moves to the new CA; after another the old CA leaves.
    await clock.advance(5 * MIN);
    expect((await certs.sync()).steps).toEqual(['renew-leaf']);
    await clock.advance(5 * MIN);
    expect((await certs.sync()).steps).toEqual(['drop-old-ca']);
    const final = await bundles();
    expect(final.map((b) => splitPem(b).length)).toEqual([1, 1, 1]);
    expect(final[0]).toBe(splitPem(rotated[0] ?? '')[0]);

    // The replica follows on its next read.
    await replica.sync();
    expect(readFileSync(join(otherDir, 'tls.crt'), 'utf8')).toBe(await secretText('tls.crt'));
  });

  it('the operator identity may not touch other Secrets or webhook configurations (the rights are exactly the named ones)', async () => {
    const status = async (call: () => Promise<unknown>): Promise<number> => call().then(() => 200, (err: unknown) => (err instanceof ApiError ? err.status : 0));
    await admin.create(Secret, { metadata: { name: 'someone-else', namespace: NS }, stringData: { a: 'b' } });
    expect(await status(() => operator.get(Secret, { namespace: NS, name: 'someone-else' }))).toBe(403);
    await admin.create(ValidatingWebhookConfiguration, { metadata: { name: 'other-validating' }, webhooks: [] });
    expect(await status(() => operator.get(ValidatingWebhookConfiguration, { name: 'other-validating' }))).toBe(403);
    expect(await status(() => operator.get(Secret, { namespace: 'default', name: 'my-op-webhook-server-cert' }))).toBe(403);
  });
});
