import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigMap, Namespace, Role, RoleBinding } from '../../../runtime/src/api/builtins.js';
import { createClient, type Client } from '../../../runtime/src/client/client.js';
import type { ApiError } from '../../../runtime/src/client/errors.js';
import { loadKubeConfig } from '../../../runtime/src/client/kubeconfig/load.js';
import { createTransport, type Transport, type TransportProtocol } from '../../../runtime/src/client/transport.js';
import { TestEnvironment } from '../../../runtime/src/testing/index.js';

const PLUGIN = fileURLToPath(new URL('../../fixtures/kubeconfig/exec-plugin.mjs', import.meta.url));

let env: TestEnvironment;
let kubeConfig: KubeConfig;
let kubeconfigPath: string;
let admin: Transport;
let client: Client;
let dir: string;
const transports: Transport[] = [];

beforeAll(async () => {
  env = new TestEnvironment();
  ({ kubeConfig, kubeconfigPath } = await env.start());
  admin = createTransport(kubeConfig);
  client = createClient(admin);
  await client.create(Namespace, { metadata: { name: 'kc' } });
  await client.create(ConfigMap, { metadata: { namespace: 'kc', name: 'probe' }, data: { a: 'b' } });
  dir = mkdtempSync(join(tmpdir(), 'opkit-kc-it-'));
}, 120_000);

afterAll(async () => {
  for (const t of transports) t.close();
  admin?.close();
  await env?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function open(config: Parameters<typeof createTransport>[0], protocol?: TransportProtocol): Client {
  const t = createTransport(config, protocol ? { protocol } : {});
  transports.push(t);
  return createClient(t);
}

/** A ServiceAccount token that may read ConfigMaps in `kc`, and the server's CA in PEM. */
async function serviceAccountToken(name: string): Promise<{ token: string; ca: string; server: string }> {
  const identity = await env.issueIdentity({ serviceAccount: { namespace: 'kc', name } });
  const user = identity.kubeConfig.getCurrentUser();
  const cluster = identity.kubeConfig.getCurrentCluster();
  await client.create(Role, { metadata: { namespace: 'kc', name: `${name}-read` }, rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get'] }] });
  await client.create(
    RoleBinding,
    {
      metadata: { namespace: 'kc', name: `${name}-read` },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: `${name}-read` },
      subjects: [{ kind: 'ServiceAccount', namespace: 'kc', name }],
    },
  );
  return { token: user?.token ?? '', ca: Buffer.from(cluster?.caData ?? '', 'base64').toString(), server: cluster?.server ?? '' };
}

describe('loadKubeConfig against a real API server', () => {
  it.each(['http2', 'http1'] as const)('reads the environment kubeconfig (client certificate) and serves requests over %s', async (protocol) => {
    const config = await loadKubeConfig({ env: { KUBECONFIG: kubeconfigPath } });
    const cm = await open(config, protocol).get(ConfigMap, { namespace: 'kc', name: 'probe' });
    expect(cm.data).toEqual({ a: 'b' });
  });

  it('an in-cluster service account: the token file is re-read after a 401, so a rotated token keeps working', async () => {
    const { token, ca, server } = await serviceAccountToken('in-cluster');
    const url = new URL(server);
    const sa = join(dir, 'sa');
    mkdirSync(sa, { recursive: true });
    writeFileSync(join(sa, 'token'), 'not-a-valid-token');
    writeFileSync(join(sa, 'ca.crt'), ca);
    writeFileSync(join(sa, 'namespace'), 'kc');
    const config = await loadKubeConfig({ env: { KUBERNETES_SERVICE_HOST: url.hostname, KUBERNETES_SERVICE_PORT: url.port }, serviceAccountDir: sa });
    expect(config.namespace).toBe('kc');
    const c = open(config);
    const err = await c.get(ConfigMap, { namespace: 'kc', name: 'probe' }).catch((e: unknown) => e);
    expect((err as ApiError).status).toBe(401);
    writeFileSync(join(sa, 'token'), token); // kubelet rotated it
    expect((await c.get(ConfigMap, { namespace: 'kc', name: 'probe' })).data).toEqual({ a: 'b' });
  });

  it('an exec credential plugin: its token authenticates, and a 401 runs the plugin again for a fresh one', async () => {
    const { token, ca, server } = await serviceAccountToken('exec-user');
    const tokenFile = join(dir, 'exec-token');
    const calls = join(dir, 'exec-calls');
    writeFileSync(tokenFile, 'expired-token');
    const path = join(dir, 'exec-kubeconfig');
    writeFileSync(
      path,
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [{ name: 'c', cluster: { server, 'certificate-authority-data': Buffer.from(ca).toString('base64') } }],
        users: [
          {
            name: 'u',
            user: {
              exec: {
                apiVersion: 'client.authentication.k8s.io/v1',
                command: process.execPath,
                args: [PLUGIN],
                env: [
                  { name: 'TOKEN_FILE', value: tokenFile },
                  { name: 'CALLS_FILE', value: calls },
                ],
                interactiveMode: 'Never',
              },
            },
          },
        ],
        contexts: [{ name: 'x', context: { cluster: 'c', user: 'u' } }],
        'current-context': 'x',
      }),
    );
    const c = open(await loadKubeConfig({ env: {}, path }));
    const err = await c.get(ConfigMap, { namespace: 'kc', name: 'probe' }).catch((e: unknown) => e);
    expect((err as ApiError).status).toBe(401);
    writeFileSync(tokenFile, token);
    expect((await c.get(ConfigMap, { namespace: 'kc', name: 'probe' })).data).toEqual({ a: 'b' });
    expect(readFileSync(calls, 'utf8').split('\n').filter(Boolean)).toHaveLength(2);
  });
});
