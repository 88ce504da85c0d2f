import { join } from 'node:path';
import { CustomObjectsApi } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestEnvironment, TestEnvironmentError, type StartedEnvironment } from '../../../runtime/src/testing/index.js';
import { childProcesses } from '../../support/processes.js';

const SHARED_CRDS = join(import.meta.dirname, '../../fixtures/crds');
const FIXTURES = join(import.meta.dirname, '../../fixtures/envtest');

describe('TestEnvironment with the shared third-party CRDs', () => {
  const warnings: string[] = [];
  const env = new TestEnvironment({ crdPaths: [SHARED_CRDS], onWarning: (m) => warnings.push(m) });
  let started: StartedEnvironment;

  beforeAll(async () => {
    started = await env.start();
  });
  afterAll(async () => {
    await env.stop();
  });

  it('skips the documents that are not CRDs, with a warning naming the file', () => {
    expect(warnings).toEqual([
      expect.stringMatching(/document 1 of .*vap_safeupgrades\.yaml: ValidatingAdmissionPolicy is not/),
      expect.stringMatching(/document 2 of .*vap_safeupgrades\.yaml: ValidatingAdmissionPolicyBinding is not/),
    ]);
  });

  it.each([
    ['cert-manager', 'cert-manager.io', 'v1', 'issuers', 'Issuer', 'default', { selfSigned: {} }],
    [
      'Gateway API',
      'gateway.networking.k8s.io',
      'v1',
      'gatewayclasses',
      'GatewayClass',
      undefined,
      { controllerName: 'example.com/gateway' },
    ],
    [
      'prometheus-operator',
      'monitoring.coreos.com',
      'v1',
      'servicemonitors',
      'ServiceMonitor',
      'default',
      { selector: { matchLabels: { app: 'web' } }, endpoints: [{ port: 'metrics' }] },
    ],
  ] as const)('serves %s custom objects as soon as start() resolves', async (_project, group, version, plural, kind, namespace, spec) => {
    const api = started.kubeConfig.makeApiClient(CustomObjectsApi);
    const body = { apiVersion: `${group}/${version}`, kind, metadata: { name: `sample-${plural}` }, spec };
    const created: { metadata: { uid: string } } = namespace
      ? await api.createNamespacedCustomObject({ group, version, namespace, plural, body })
      : await api.createClusterCustomObject({ group, version, plural, body });
    const read: { metadata: { uid: string }; spec: unknown } = namespace
      ? await api.getNamespacedCustomObject({ group, version, namespace, plural, name: body.metadata.name })
      : await api.getClusterCustomObject({ group, version, plural, name: body.metadata.name });
    expect(read.metadata.uid).toBe(created.metadata.uid);
    expect(read.spec).toMatchObject(spec);
  });

  it('rejects an invalid custom object through the CRD schema', async () => {
    const api = started.kubeConfig.makeApiClient(CustomObjectsApi);
    await expect(
      api.createClusterCustomObject({
        group: 'gateway.networking.k8s.io',
        version: 'v1',
        plural: 'gatewayclasses',
        body: { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'GatewayClass', metadata: { name: 'bad' }, spec: {} },
      }),
    ).rejects.toThrow(/controllerName/);
  });
});

describe('TestEnvironment bad input', () => {
  it('names a CRD path that does not exist', async () => {
    const env = new TestEnvironment({ crdPaths: ['config/crd/nope'] });
    const err = await env.start().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TestEnvironmentError);
    expect(err).toMatchObject({ reason: 'CrdPathNotFound', message: expect.stringContaining('config/crd/nope') });
  });

  it('names the file and line of malformed YAML', async () => {
    const env = new TestEnvironment({ crdPaths: [join(FIXTURES, 'malformed.yaml')] });
    const err = await env.start().catch((e: unknown) => e);
    expect(err).toMatchObject({ reason: 'CrdParseFailed', message: expect.stringMatching(/malformed\.yaml:\d+: malformed YAML/) });
  });

  it("fails start() with the API server's message for a rejected CRD and leaves nothing running", async () => {
    const env = new TestEnvironment({ crdPaths: [join(FIXTURES, 'rejected-crd.yaml')] });
    const err = await env.start().catch((e: unknown) => e);
    expect(err).toMatchObject({
      reason: 'CrdRejected',
      message: expect.stringMatching(/gadgets\.example\.com from .*rejected-crd\.yaml.*type: Required value/s),
    });
    expect(childProcesses(process.pid, 'etcd')).toEqual([]);
    expect(childProcesses(process.pid, 'kube-apiserver')).toEqual([]);
  });
});
