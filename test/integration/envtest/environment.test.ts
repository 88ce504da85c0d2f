import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { AuthorizationV1Api, CoreV1Api } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestEnvironment, DEFAULT_KUBERNETES_VERSION, type StartedEnvironment } from '../../../runtime/src/testing/index.js';
import { processesMatching } from '../../support/processes.js';
import { rawGet } from '../../support/raw.js';

describe('TestEnvironment', () => {
  const env = new TestEnvironment();
  let started: StartedEnvironment;

  beforeAll(async () => {
    started = await env.start();
  });
  afterAll(async () => {
    await env.stop();
  });

  it('serves the real Kubernetes version on /version, not v0.0.0', async () => {
    const { status, text } = await rawGet(started.kubeConfig, '/version');
    expect(status).toBe(200);
    expect(JSON.parse(text)).toMatchObject({ gitVersion: DEFAULT_KUBERNETES_VERSION, major: '1' });
  });

  it('reports ready on /readyz for the admin client certificate', async () => {
    const { status, text } = await rawGet(started.kubeConfig, '/readyz');
    expect(status).toBe(200);
    expect(text).toBe('ok');
  });

  it('listens on loopback only, over TLS', () => {
    expect(started.server).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
  });

  it('creates and reads a namespace as the system:masters admin', async () => {
    const core = started.kubeConfig.makeApiClient(CoreV1Api);
    await core.createNamespace({ body: { metadata: { name: 'envtest-ns', labels: { team: 'a' } } } });
    const ns = await core.readNamespace({ name: 'envtest-ns' });
    expect(ns.metadata?.labels).toEqual(expect.objectContaining({ team: 'a' }));
  });

  it('authorizes with RBAC: an unknown user may not list secrets', async () => {
    const authz = started.kubeConfig.makeApiClient(AuthorizationV1Api);
    const review = await authz.createSubjectAccessReview({
      body: { spec: { user: 'nobody', resourceAttributes: { verb: 'list', resource: 'secrets', namespace: 'default' } } },
    });
    expect(review.status?.allowed).toBe(false);
    expect(review.status?.reason ?? '').not.toMatch(/AlwaysAllow/);
  });

  it('keeps its data across restartApiServer()', async () => {
    const core = started.kubeConfig.makeApiClient(CoreV1Api);
    await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'survivor' }, data: { k: 'v' } } });
    await env.restartApiServer();
    const cm = await core.readNamespacedConfigMap({ namespace: 'default', name: 'survivor' });
    expect(cm.data).toEqual({ k: 'v' });
  });
});

describe('TestEnvironment lifecycle', () => {
  it('runs two environments in parallel, each with its own data', async () => {
    const a = new TestEnvironment();
    const b = new TestEnvironment();
    try {
      const [sa, sb] = await Promise.all([a.start(), b.start()]);
      expect(sa.server).not.toBe(sb.server);
      await sa.kubeConfig.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: 'only-in-a' } } });
      const names = async (s: StartedEnvironment): Promise<string[]> =>
        (await s.kubeConfig.makeApiClient(CoreV1Api).listNamespace()).items.map((n) => n.metadata?.name ?? '');
      expect(await names(sa)).toContain('only-in-a');
      expect(await names(sb)).not.toContain('only-in-a');
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
  });

  it('stop() leaves no process and no temp dir behind', async () => {
    const env = new TestEnvironment();
    const started = await env.start();
    const dir = dirname(started.kubeconfigPath);
    expect(processesMatching(dir).length).toBeGreaterThanOrEqual(2);
    await env.stop();
    expect(processesMatching(dir)).toEqual([]);
    expect(existsSync(dir)).toBe(false);
  });
});
