import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { KubeConfigError } from '../../../runtime/src/client/kubeconfig/errors.js';
import { loadKubeConfig, type LoadKubeConfigOptions } from '../../../runtime/src/client/kubeconfig/load.js';
import type { RestConfig } from '../../../runtime/src/client/rest-config.js';
import { FakeClock } from '../../../runtime/src/util/fake-clock.js';

const PLUGIN = fileURLToPath(new URL('../../fixtures/kubeconfig/exec-plugin.mjs', import.meta.url));
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), 'opkit-kubeconfig-'));
  dirs.push(d);
  return d;
}

function write(dir: string, name: string, text: string): string {
  const p = join(dir, name);
  mkdirSync(join(p, '..'), { recursive: true });
  writeFileSync(p, text);
  return p;
}

const b64 = (s: string): string => Buffer.from(s).toString('base64');

/** A kubeconfig with one cluster, user and context each, in YAML. */
function kubeconfig(o: { cluster?: string; server?: string; user?: string; userBody?: string; context?: string; current?: string; namespace?: string; clusterBody?: string }): string {
  const cluster = o.cluster ?? 'c';
  const user = o.user ?? 'u';
  const context = o.context ?? 'ctx';
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    `- name: ${cluster}`,
    '  cluster:',
    `    server: ${o.server ?? 'https://10.0.0.1:6443'}`,
    ...(o.clusterBody ? o.clusterBody.split('\n').map((l) => `    ${l}`) : []),
    'users:',
    `- name: ${user}`,
    '  user:',
    ...(o.userBody ?? 'token: static-token').split('\n').map((l) => `    ${l}`),
    'contexts:',
    `- name: ${context}`,
    '  context:',
    `    cluster: ${cluster}`,
    `    user: ${user}`,
    ...(o.namespace ? [`    namespace: ${o.namespace}`] : []),
    ...(o.current === '' ? [] : [`current-context: ${o.current ?? context}`]),
    '',
  ].join('\n');
}

async function failure(p: Promise<RestConfig>): Promise<KubeConfigError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(KubeConfigError);
  return err as KubeConfigError;
}

const base = (env: Record<string, string | undefined>, extra: Partial<LoadKubeConfigOptions> = {}): LoadKubeConfigOptions => ({
  env,
  homeDir: join(tmp(), 'no-home'),
  serviceAccountDir: join(tmp(), 'no-sa'),
  ...extra,
});

describe('loadKubeConfig: files and merge rules', () => {
  it('merges KUBECONFIG files like client-go: the first file to name an entry wins it, the first current-context wins', async () => {
    const d = tmp();
    const first = write(d, 'a/config', kubeconfig({ cluster: 'shared', server: 'https://first:6443', user: 'alice', userBody: 'token: alice-token', context: 'one', current: '' }));
    const second = write(
      d,
      'b/config',
      [
        'clusters: [{name: shared, cluster: {server: "https://second:6443"}}]',
        'users: [{name: bob, user: {token: bob-token}}]',
        'contexts:',
        '- {name: one, context: {cluster: shared, user: bob, namespace: from-second}}',
        '- {name: two, context: {cluster: shared, user: bob}}',
        'current-context: one',
      ].join('\n'),
    );
    // `one` is defined in the first file (alice) and again in the second (bob): the first wins
    const cfg = await loadKubeConfig(base({ KUBECONFIG: [first, join(d, 'missing'), second].join(delimiter) }));
    expect(cfg.server).toBe('https://first:6443');
    expect(cfg.headers).toEqual({ authorization: 'Bearer alice-token' });
    expect(cfg.namespace).toBeUndefined();
    // another context by name, from the second file, still takes the first file's cluster `shared`
    const two = await loadKubeConfig(base({ KUBECONFIG: [first, second].join(delimiter) }, { context: 'two' }));
    expect(two.server).toBe('https://first:6443');
    expect(two.headers).toEqual({ authorization: 'Bearer bob-token' });
  });

  it('resolves relative certificate paths against the directory of the file that names them, and decodes inline data', async () => {
    const d = tmp();
    write(d, 'conf/pki/ca.crt', 'CA-PEM');
    write(d, 'conf/pki/client.crt', 'CERT-PEM');
    const path = write(
      d,
      'conf/config',
      kubeconfig({ clusterBody: 'certificate-authority: pki/ca.crt\ntls-server-name: api.internal', userBody: `client-certificate: pki/client.crt\nclient-key-data: ${b64('KEY-PEM')}\nas: someone` }),
    );
    const cfg = await loadKubeConfig(base({}, { path }));
    expect(cfg.tls?.ca?.toString()).toBe('CA-PEM');
    expect(cfg.tls?.cert?.toString()).toBe('CERT-PEM');
    expect(cfg.tls?.key?.toString()).toBe('KEY-PEM');
    expect(cfg.tls?.servername).toBe('api.internal');
    expect(cfg.headers).toEqual({ 'impersonate-user': 'someone' });
  });

  it('takes an explicit path over KUBECONFIG, and names a missing one', async () => {
    const d = tmp();
    const path = write(d, 'explicit', kubeconfig({ server: 'https://explicit:6443' }));
    const env = { KUBECONFIG: write(d, 'env', kubeconfig({ server: 'https://env:6443' })) };
    expect((await loadKubeConfig(base(env, { path }))).server).toBe('https://explicit:6443');
    const err = await failure(loadKubeConfig(base(env, { path: join(d, 'nope') })));
    expect(err.reason).toBe('Unreadable');
    expect(err.message).toContain(join(d, 'nope'));
  });

  it('falls back to ~/.kube/config, and says what it tried when there is nothing', async () => {
    const home = tmp();
    write(home, '.kube/config', kubeconfig({ server: 'https://home:6443', namespace: 'team-a' }));
    const cfg = await loadKubeConfig(base({}, { homeDir: home }));
    expect(cfg.server).toBe('https://home:6443');
    expect(cfg.namespace).toBe('team-a');
    const err = await failure(loadKubeConfig(base({})));
    expect(err.reason).toBe('NotFound');
    expect(err.message).toMatch(/KUBECONFIG is not set.*service account.*\.kube[\\/]config does not exist/);
  });

  it('rejects a KUBECONFIG whose files all do not exist, a missing context and a context naming an unknown user', async () => {
    const d = tmp();
    expect((await failure(loadKubeConfig(base({ KUBECONFIG: join(d, 'x') })))).reason).toBe('NotFound');
    const path = write(d, 'config', kubeconfig({ current: 'elsewhere' }));
    const noContext = await failure(loadKubeConfig(base({}, { path })));
    expect(noContext.reason).toBe('MissingEntry');
    expect(noContext.message).toContain('no context "elsewhere"');
    const dangling = write(d, 'dangling', kubeconfig({}).replace('user: u\n', 'user: ghost\n'));
    const err = await failure(loadKubeConfig(base({}, { path: dangling })));
    expect(err.message).toContain('names user "ghost", which no kubeconfig file defines');
  });

  it('refuses malformed YAML, auth-provider users and proxy-url clusters with the fix in the message', async () => {
    const d = tmp();
    const bad = await failure(loadKubeConfig(base({}, { path: write(d, 'bad', 'clusters: [unclosed') })));
    expect(bad.reason).toBe('Malformed');
    const ap = await failure(loadKubeConfig(base({}, { path: write(d, 'ap', kubeconfig({ userBody: 'auth-provider:\n  name: oidc\n  config: {id-token: x}' })) })));
    expect(ap.reason).toBe('Unsupported');
    expect(ap.message).toMatch(/auth-provider "oidc".*exec credential plugin.*client-node KubeConfig/);
    const proxy = await failure(loadKubeConfig(base({}, { path: write(d, 'px', kubeconfig({ clusterBody: 'proxy-url: http://proxy:3128' })) })));
    expect(proxy.reason).toBe('Unsupported');
  });
});

describe('loadKubeConfig: in a cluster', () => {
  function serviceAccount(): string {
    const sa = tmp();
    write(sa, 'token', 'first-token\n');
    write(sa, 'ca.crt', 'CLUSTER-CA');
    write(sa, 'namespace', 'operators');
    return sa;
  }

  it('uses the mounted service account when KUBERNETES_SERVICE_HOST is set and KUBECONFIG is not, and re-reads the token every minute and after a 401', async () => {
    const sa = serviceAccount();
    const clock = new FakeClock({ start: 1_000_000 });
    const cfg = await loadKubeConfig({ env: { KUBERNETES_SERVICE_HOST: 'fd00::1', KUBERNETES_SERVICE_PORT: '443' }, serviceAccountDir: sa, clock });
    expect(cfg.server).toBe('https://[fd00::1]:443');
    expect(cfg.tls?.ca?.toString()).toBe('CLUSTER-CA');
    expect(cfg.namespace).toBe('operators');
    const creds = cfg.credentials;
    expect(await creds?.authorization()).toBe('Bearer first-token');
    write(sa, 'token', 'rotated-token');
    await clock.advance(59_000);
    expect(await creds?.authorization()).toBe('Bearer first-token');
    await clock.advance(1_000);
    expect(await creds?.authorization()).toBe('Bearer rotated-token');
    write(sa, 'token', 'third-token');
    creds?.invalidate?.();
    expect(await creds?.authorization()).toBe('Bearer third-token');
  });

  it('prefers KUBECONFIG over the service account, and the service account over ~/.kube/config', async () => {
    const sa = serviceAccount();
    const d = tmp();
    write(d, '.kube/config', kubeconfig({ server: 'https://home:6443' }));
    const env = { KUBERNETES_SERVICE_HOST: '10.96.0.1', KUBERNETES_SERVICE_PORT: '443' };
    expect((await loadKubeConfig({ env, serviceAccountDir: sa, homeDir: d })).server).toBe('https://10.96.0.1:443');
    const withFile = { ...env, KUBECONFIG: write(d, 'k', kubeconfig({ server: 'https://file:6443' })) };
    expect((await loadKubeConfig({ env: withFile, serviceAccountDir: sa, homeDir: d })).server).toBe('https://file:6443');
  });
});

describe('loadKubeConfig: exec credential plugins', () => {
  function execUser(extraEnv: Record<string, string>, apiVersion = 'client.authentication.k8s.io/v1'): string {
    const env = Object.entries(extraEnv)
      .map(([name, value]) => `  - {name: ${name}, value: "${value}"}`)
      .join('\n');
    return `exec:\n  apiVersion: ${apiVersion}\n  command: ${JSON.stringify(process.execPath)}\n  args: [${JSON.stringify(PLUGIN)}]\n  provideClusterInfo: true\n  installHint: install fake-login from the test fixtures\n  env:\n${env}`;
  }

  it('runs the plugin once at load, caches its token until it expires, and runs it again after expiry and after a 401', async () => {
    const d = tmp();
    const calls = join(d, 'calls');
    const info = join(d, 'info');
    const clock = new FakeClock({ start: Date.parse('2030-01-01T00:00:00Z') });
    const path = write(d, 'config', kubeconfig({ userBody: execUser({ CALLS_FILE: calls, INFO_FILE: info, EXPIRES: '2030-01-01T00:10:00Z' }) }));
    const cfg = await loadKubeConfig({ env: {}, path, clock });
    const runs = (): number => readFileSync(calls, 'utf8').split('\n').filter(Boolean).length;
    expect(runs()).toBe(1);
    const spec = (JSON.parse(readFileSync(info, 'utf8')) as { spec: { interactive: boolean; cluster?: { server: string } } }).spec;
    expect(spec).toEqual({ interactive: false, cluster: { server: 'https://10.0.0.1:6443' } });
    expect(await cfg.credentials?.authorization()).toBe('Bearer token-1');
    await clock.advance(9 * 60_000);
    expect(await cfg.credentials?.authorization()).toBe('Bearer token-1');
    expect(runs()).toBe(1);
    await clock.advance(60_000);
    // concurrent requests after expiry share one run
    const [a, b] = await Promise.all([cfg.credentials?.authorization(), cfg.credentials?.authorization()]);
    expect([a, b]).toEqual(['Bearer token-2', 'Bearer token-2']);
    expect(runs()).toBe(2);
    cfg.credentials?.invalidate?.();
    expect(await cfg.credentials?.authorization()).toBe('Bearer token-3');
  });

  it('accepts v1beta1 and rejects an answer whose apiVersion differs from the one asked for', async () => {
    const d = tmp();
    const ok = write(d, 'ok', kubeconfig({ userBody: execUser({ API_VERSION: 'client.authentication.k8s.io/v1beta1' }, 'client.authentication.k8s.io/v1beta1') }));
    expect(await (await loadKubeConfig({ env: {}, path: ok })).credentials?.authorization()).toBe('Bearer token-1');
    const mismatch = write(d, 'mismatch', kubeconfig({ userBody: execUser({ API_VERSION: 'client.authentication.k8s.io/v1beta1' }) }));
    const err = await failure(loadKubeConfig({ env: {}, path: mismatch }));
    expect(err.reason).toBe('ExecFailed');
    expect(err.message).toContain('apiVersion "client.authentication.k8s.io/v1beta1"');
  });

  it('fails at load with the command, its stderr and the install hint when the plugin fails, prints garbage or is not installed', async () => {
    const d = tmp();
    const failing = await failure(loadKubeConfig({ env: {}, path: write(d, 'f', kubeconfig({ userBody: execUser({ FAIL: '1' }) })) }));
    expect(failing.reason).toBe('ExecFailed');
    expect(failing.message).toContain('you are not logged in; run `fake-login`');
    expect(failing.message).toContain('install fake-login from the test fixtures');
    expect(failing.message).toContain('user "u"');
    const garbage = await failure(loadKubeConfig({ env: {}, path: write(d, 'g', kubeconfig({ userBody: execUser({ GARBAGE: '1' }) })) }));
    expect(garbage.message).toContain('printed no JSON ExecCredential');
    const missing = await failure(loadKubeConfig({ env: { PATH: d }, path: write(d, 'm', kubeconfig({ userBody: 'exec:\n  apiVersion: client.authentication.k8s.io/v1\n  command: no-such-plugin-xyz' })) }));
    expect(missing.message).toContain('"no-such-plugin-xyz"');
    expect(missing.message).toContain('was not found on PATH');
  });
});
