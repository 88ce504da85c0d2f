/**
 * Conversion and storage migration through a real kube-apiserver: the API server itself calls the
 * conversion webhook of this test process (`url: https://127.0.0.1:<port>/convert`, with the
 * caBundle of the environment's CA), as in a generated project's tests.
 */
import { request as httpsRequest } from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CustomResourceDefinition } from '../../../runtime/src/api/builtins.js';
import { createClient, type Client } from '../../../runtime/src/client/client.js';
import { ApiError } from '../../../runtime/src/client/errors.js';
import { createTransport, type Transport } from '../../../runtime/src/client/transport.js';
import { migrateStorage, storageVersionHash } from '../../../runtime/src/migration/storage.js';
import { eventually, TestEnvironment } from '../../../runtime/src/testing/index.js';
import { conversionFor } from '../../../runtime/src/webhook/conversion/builder.js';
import { conversionDataAnnotation } from '../../../runtime/src/webhook/conversion/lossless.js';
import { WebhookServer } from '../../../runtime/src/webhook/server.js';
import { runMigrate } from '../../../cli/commands/migrate.js';
import { captureIo } from '../../unit/generators/support.js';
import { GIZMO_CRD, gizmoV1Converter, GizmoV1, GizmoV2 } from '../../support/gizmo-conversion.js';

const NS = 'default';
const CRD_NAME = 'gizmos.conv.opkit.dev';

describe('conversion webhook and storage migration through the API server', () => {
  // the CRD's conversion is pointed at the test process's webhook server (url + caBundle) by the environment
  const env = new TestEnvironment({ crdPaths: [GIZMO_CRD], webhooks: true });
  let transport: Transport;
  let client: Client;
  let server: WebhookServer;
  let port: number;
  let caPem: string;
  let kubeconfigPath: string;
  /** v1 → v2 conversions the webhook performed. */
  let toHubCalls = 0;

  beforeAll(async () => {
    const started = await env.start();
    kubeconfigPath = started.kubeconfigPath;
    transport = createTransport(started.kubeConfig);
    client = createClient(transport);
    caPem = env.webhookCa;
    server = new WebhookServer({ ...env.webhookOptions, watchCertFiles: false });
    conversionFor(server, { hub: GizmoV2 })
      .spoke(GizmoV1, {
        toHub: (v1) => {
          toHubCalls++;
          return gizmoV1Converter.toHub(v1);
        },
        fromHub: (v2) => {
          if (v2.spec?.color === 'boom') throw new Error('color boom has no v1 form');
          return gizmoV1Converter.fromHub(v2);
        },
      })
      .complete();
    port = (await server.listen()).port;
    const crd = await client.get(CustomResourceDefinition, { name: CRD_NAME });
    expect(crd.spec.conversion?.webhook?.clientConfig).toEqual({ url: `https://127.0.0.1:${port}/convert`, caBundle: Buffer.from(caPem).toString('base64') });
    // the first conversion may wait for kube-apiserver to pick the webhook up
    await eventually(async () => expect((await client.list(GizmoV2, { namespace: NS })).length).toBe(0), { timeoutMs: 30_000, intervalMs: 200 });
  });

  afterAll(async () => {
    transport?.close();
    await server?.close();
    await env.stop();
  });

  it('keeps a v2-only field written through v2 when the object is updated through v1, and reads it back through v2', async () => {
    await client.create(GizmoV2, { metadata: { name: 'lossless', namespace: NS }, spec: { size: 2, tier: 'platinum', extra: 'only-in-v2' } });
    const v1 = await client.get(GizmoV1, { namespace: NS, name: 'lossless' });
    expect(v1.spec).toEqual({ replicas: 2, tier: 'premium' });
    expect(Object.keys(v1.metadata?.annotations ?? {})).toEqual([conversionDataAnnotation('v2')]);
    await client.update(GizmoV1, { ...v1, spec: { ...v1.spec, replicas: 5, color: 'blue' } });
    const v2 = await client.get(GizmoV2, { namespace: NS, name: 'lossless' });
    expect(v2.spec).toEqual({ size: 5, color: 'blue', tier: 'platinum', extra: 'only-in-v2' });
    expect(v2.metadata?.annotations).toBeUndefined();
  });

  it('keeps a v1-only field when the object is updated through v2, and reads it back through v1', async () => {
    await client.create(GizmoV1, { metadata: { name: 'noted', namespace: NS }, spec: { replicas: 1, note: 'only-in-v1' } });
    const v2 = await client.get(GizmoV2, { namespace: NS, name: 'noted' });
    expect(v2.spec).toEqual({ size: 1 });
    await client.update(GizmoV2, { ...v2, spec: { ...v2.spec, size: 3 } });
    expect((await client.get(GizmoV1, { namespace: NS, name: 'noted' })).spec).toEqual({ replicas: 3, note: 'only-in-v1' });
  });

  it('fails a write whose conversion throws, with the API server passing on the message naming the object and the converter', async () => {
    const err = await client.create(GizmoV2, { metadata: { name: 'exploding', namespace: NS }, spec: { color: 'boom' } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).message).toContain('Gizmo default/exploding: converting Gizmo.conv.opkit.dev from v2 to v1: fromHub of v1 threw: color boom has no v1 form');
    await expect(client.get(GizmoV1, { namespace: NS, name: 'exploding' })).rejects.toMatchObject({ status: 404 });
  });

  it('answers a malformed ConversionReview with HTTP 400 and a message', async () => {
    const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = httpsRequest({ host: '127.0.0.1', port, path: '/convert', method: 'POST', ca: caPem, headers: { 'content-type': 'application/json' } }, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString('utf8')));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      req.end(JSON.stringify({ apiVersion: 'apiextensions.k8s.io/v1beta1', kind: 'ConversionReview', request: { uid: 'u' } }));
    });
    expect(answer.status).toBe(400);
    expect(answer.body).toContain('unsupported ConversionReview version');
  });

  it('migrates objects stored at v1 to v2 and leaves storedVersions with only v2, after which v1 can be dropped from the CRD', async () => {
    for (let i = 0; i < 5; i++) await client.create(GizmoV1, { metadata: { name: `old-${i}`, namespace: NS }, spec: { replicas: i, note: `n${i}` } });
    // switch the storage version to v2
    const crd = await client.get(CustomResourceDefinition, { name: CRD_NAME });
    crd.spec.versions = crd.spec.versions.map((v) => ({ ...v, storage: v.name === 'v2' }));
    await client.update(CustomResourceDefinition, crd);
    await eventually(async () => expect((await client.get(CustomResourceDefinition, { name: CRD_NAME })).status?.storedVersions).toEqual(['v1', 'v2']), { timeoutMs: 10_000, intervalMs: 100 });
    const progress: number[] = [];
    const result = await migrateStorage(transport, CRD_NAME, { pageSize: 3, onProgress: (p) => progress.push(p.migrated) });
    expect(result).toMatchObject({ storageVersion: 'v2', storedVersionsBefore: ['v1', 'v2'], storedVersions: ['v2'], alreadyMigrated: false });
    expect(result.migrated).toBeGreaterThanOrEqual(5);
    expect(progress.length).toBeGreaterThanOrEqual(2);
    expect((await client.get(CustomResourceDefinition, { name: CRD_NAME })).status?.storedVersions).toEqual(['v2']);
    // the migration waited for this: discovery reports the storage version's hash, as computed here
    const discovery = await transport.request<{ resources: Array<{ name: string; storageVersionHash?: string }> }>({ method: 'GET', path: '/apis/conv.opkit.dev/v2' });
    expect(discovery.resources.find((r) => r.name === 'gizmos')?.storageVersionHash).toBe(storageVersionHash('conv.opkit.dev', 'v2', 'Gizmo'));
    // running it again (as a user would, with the CLI) is a no-op
    const again = captureIo(process.cwd());
    expect(await runMigrate(['storage', CRD_NAME, '--kubeconfig', kubeconfigPath], again.io)).toBe(0);
    expect(again.stdout()).toBe(`${CRD_NAME}: storedVersions is already [v2]; nothing to do\n`);

    // nothing is stored at v1 any more: the API server lets v1 go, and every object still reads
    // through v2 with its data, including what only v1 had (kept in the annotation)
    const current = await client.get(CustomResourceDefinition, { name: CRD_NAME });
    current.spec.versions = current.spec.versions.filter((v) => v.name === 'v2');
    current.spec.conversion = { strategy: 'None' };
    await client.update(CustomResourceDefinition, current);
    toHubCalls = 0;
    await eventually(
      async () => {
        const objects = await client.list(GizmoV2, { namespace: NS });
        expect(objects.filter((o) => o.metadata?.name?.startsWith('old-')).map((o) => o.spec?.size).sort()).toEqual([0, 1, 2, 3, 4]);
        const v2 = await client.get(GizmoV2, { namespace: NS, name: 'old-3' });
        expect(Object.keys(v2.metadata?.annotations ?? {})).toEqual([conversionDataAnnotation('v1')]);
      },
      { timeoutMs: 20_000, intervalMs: 200 },
    );
    expect(toHubCalls).toBe(0);
  });

  it('names a CRD that does not exist, and the RBAC rule an identity lacks, changing nothing', async () => {
    const missing = captureIo(process.cwd());
    expect(await runMigrate(['storage', 'nothings.conv.opkit.dev', '--kubeconfig', kubeconfigPath], missing.io)).toBe(1);
    expect(missing.stderr()).toContain('error: storage migration of nothings.conv.opkit.dev: no CustomResourceDefinition named nothings.conv.opkit.dev: give its full name, <plural>.<group>');
    const nobody = await env.issueIdentity({ user: 'nobody', groups: [] });
    const weak = createTransport(nobody.kubeConfig);
    try {
      await expect(migrateStorage(weak, CRD_NAME)).rejects.toMatchObject({
        reason: 'Forbidden',
        message: expect.stringContaining('RBAC forbids get on customresourcedefinitions (API group "apiextensions.k8s.io") while reading the CRD: grant it'),
      });
    } finally {
      weak.close();
    }
  });
});
