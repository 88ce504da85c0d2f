import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { realClock, type Clock } from '../../util/clock.js';
import type { CredentialSource, RestConfig, TlsConfig } from '../rest-config.js';
import { KubeConfigError } from './errors.js';
import { execCredentials, supportedExecApiVersion } from './exec.js';
import { readKubeconfigs, type Entry, type KubeconfigCluster, type KubeconfigUser, type MergedKubeconfig } from './file.js';
import { inCluster, loadInCluster, SERVICE_ACCOUNT_DIR } from './in-cluster.js';
import { tokenFileCredentials } from './token-file.js';

/** Options of {@link loadKubeConfig}. */
export interface LoadKubeConfigOptions {
  /** One kubeconfig file (controller-runtime's `--kubeconfig`); it wins over everything else and must exist. */
  readonly path?: string;
  /** Use this context instead of the files' `current-context`. */
  readonly context?: string;
  /**
   * Where `KUBECONFIG`, `KUBERNETES_SERVICE_HOST`/`_PORT` and `HOME` are read, and the environment
   * exec plugins run in: `process.env`, passed from the entry point (the library reads no
   * environment of its own).
   */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Where a pod's service account is mounted (default `/var/run/secrets/kubernetes.io/serviceaccount`). */
  readonly serviceAccountDir?: string;
  /** The home directory of `~/.kube/config` (default `env.HOME`, else the OS's). */
  readonly homeDir?: string;
  /** Source of time for token refreshes (default the wall clock). */
  readonly clock?: Clock;
}

/**
 * Loads the API server and credentials (`await loadKubeConfig({ env: process.env })`) the way
 * controller-runtime's `GetConfig` does, without
 * client-node: `options.path`, else the files in `KUBECONFIG` (merged: the first file that names a
 * cluster, user or context wins it, the first `current-context` wins), else the pod's service
 * account when running in a cluster, else `~/.kube/config`.
 *
 * Supported: server CA and client certificates/keys from files or inline data,
 * `insecure-skip-tls-verify`, `tls-server-name`, bearer `token` and `tokenFile`, basic auth,
 * impersonation (`as`), exec credential plugins (client.authentication.k8s.io v1 and v1beta1;
 * tokens are refreshed when they expire or the server answers 401), the in-cluster token file
 * (re-read every minute).
 *
 * Guarantees: files are read and an exec plugin is run once, here, so a broken configuration fails
 * at start-up with the file and entry named; nothing imports `@kubernetes/client-node`.
 * Caveats: `auth-provider` entries (gcp, azure, oidc), `proxy-url`, `as-groups` and `as-user-extra`
 * are refused with `Unsupported` naming the fix (an exec plugin; or build a client-node
 * `KubeConfig` and pass that to the Manager). A client certificate from an exec plugin is read
 * once, at load: when it expires, the operator must restart.
 * @throws KubeConfigError (`NotFound`, `Unreadable`, `Malformed`, `MissingEntry`, `Unsupported`, `ExecFailed`).
 */
export async function loadKubeConfig(options: LoadKubeConfigOptions): Promise<RestConfig> {
  const env = options.env;
  const clock = options.clock ?? realClock;
  const saDir = options.serviceAccountDir ?? SERVICE_ACCOUNT_DIR;
  if (options.path) return fromFiles(await readKubeconfigs([{ path: options.path, optional: false }]), options, env, clock);
  const list = (env['KUBECONFIG'] ?? '').split(delimiter).filter((p) => p !== '');
  if (list.length > 0) {
    const merged = await readKubeconfigs(list.map((path) => ({ path, optional: true })));
    if (merged.files.length === 0)
      throw new KubeConfigError({ reason: 'NotFound', message: `none of the files in KUBECONFIG exists (${list.join(delimiter)}); fix KUBECONFIG or unset it` });
    return fromFiles(merged, options, env, clock);
  }
  if (await inCluster(env, saDir)) return loadInCluster({ env, dir: saDir, clock });
  const home = options.homeDir ?? env['HOME'] ?? homedir();
  const defaultPath = join(home, '.kube', 'config');
  const merged = await readKubeconfigs([{ path: defaultPath, optional: true }]);
  if (merged.files.length === 0)
    throw new KubeConfigError({
      reason: 'NotFound',
      message: `no kubeconfig: KUBECONFIG is not set, this is not a pod with a service account (KUBERNETES_SERVICE_HOST, ${saDir}/token), and ${defaultPath} does not exist; set KUBECONFIG or pass a path`,
    });
  return fromFiles(merged, options, env, clock);
}

function pick<T>(map: ReadonlyMap<string, Entry<T>>, name: string | undefined, what: string, context: string, files: readonly string[]): Entry<T> {
  const entry = name ? map.get(name) : undefined;
  if (!entry)
    throw new KubeConfigError({
      reason: 'MissingEntry',
      message: name ? `context "${context}" names ${what} "${name}", which no kubeconfig file defines (${files.join(', ')})` : `context "${context}" names no ${what} (${files.join(', ')})`,
    });
  return entry;
}

async function bytes(file: string | undefined, data: string | undefined, what: string, source: string): Promise<Buffer | undefined> {
  if (file) {
    try {
      return await readFile(file);
    } catch (cause) {
      throw new KubeConfigError({ reason: 'Unreadable', message: `cannot read the ${what} ${file} (named in ${source}): ${(cause as Error).message}`, cause });
    }
  }
  return data ? Buffer.from(data, 'base64') : undefined;
}

async function fromFiles(merged: MergedKubeconfig, options: LoadKubeConfigOptions, env: Readonly<Record<string, string | undefined>>, clock: Clock): Promise<RestConfig> {
  const files = merged.files;
  const contextName = options.context ?? merged.currentContext;
  if (!contextName)
    throw new KubeConfigError({ reason: 'MissingEntry', message: `no current-context in ${files.join(', ')}; set one (kubectl config use-context NAME) or pass a context` });
  const context = merged.contexts.get(contextName);
  if (!context) throw new KubeConfigError({ reason: 'MissingEntry', message: `no context "${contextName}" in ${files.join(', ')}` });
  const cluster = pick(merged.clusters, context.value.cluster, 'cluster', contextName, files);
  const user = context.value.user ? pick(merged.users, context.value.user, 'user', contextName, files) : { value: {} as KubeconfigUser, file: context.file };
  const c: KubeconfigCluster = cluster.value;
  const u: KubeconfigUser = user.value;
  const where = `user "${context.value.user ?? ''}" in ${user.file}`;
  if (!c.server) throw new KubeConfigError({ reason: 'MissingEntry', message: `cluster "${context.value.cluster ?? ''}" in ${cluster.file} has no server` });
  if (c['proxy-url'])
    throw new KubeConfigError({ reason: 'Unsupported', message: `cluster "${context.value.cluster ?? ''}" in ${cluster.file} sets proxy-url, which Opkit's transport does not support; reach the API server directly` });
  const authProvider = u['auth-provider'];
  if (authProvider)
    throw new KubeConfigError({
      reason: 'Unsupported',
      message: `${where} uses auth-provider "${authProvider.name ?? ''}", which loadKubeConfig does not support (client-go removed the gcp and azure ones): switch the user to an exec credential plugin (gke-gcloud-auth-plugin, kubelogin), or build a client-node KubeConfig and pass it as the Manager's kubeConfig`,
    });
  if (u['as-groups'] || u['as-user-extra'])
    throw new KubeConfigError({ reason: 'Unsupported', message: `${where} sets as-groups or as-user-extra, which loadKubeConfig does not support; impersonate with as only, or pass a client-node KubeConfig` });

  const headers: Record<string, string> = {};
  if (u.token) headers['authorization'] = `Bearer ${u.token}`;
  if (u.username !== undefined) headers['authorization'] = `Basic ${Buffer.from(`${u.username}:${u.password ?? ''}`).toString('base64')}`;
  if (u.as) headers['impersonate-user'] = u.as;

  let cert = await bytes(u['client-certificate'], u['client-certificate-data'], 'client certificate', where);
  let key = await bytes(u['client-key'], u['client-key-data'], 'client key', where);
  let credentials: CredentialSource | undefined;
  if (u.tokenFile && !u.token) credentials = tokenFileCredentials({ path: u.tokenFile, clock });
  if (u.exec) {
    if (!u.exec.command) throw new KubeConfigError({ reason: 'Malformed', message: `${where}: exec has no command` });
    if (!supportedExecApiVersion(u.exec.apiVersion))
      throw new KubeConfigError({ reason: 'Unsupported', message: `${where}: exec apiVersion "${u.exec.apiVersion ?? ''}" is not supported; use client.authentication.k8s.io/v1 or v1beta1` });
    if (u.exec.interactiveMode === 'Always')
      throw new KubeConfigError({ reason: 'Unsupported', message: `${where}: the exec plugin needs a terminal (interactiveMode: Always), which an operator does not have; configure a non-interactive credential` });
    const exec = execCredentials({ exec: u.exec, user: context.value.user ?? '', file: user.file, cluster: c, env, clock });
    const first = await exec.current();
    if (first.clientCertificateData && first.clientKeyData) {
      cert = Buffer.from(first.clientCertificateData);
      key = Buffer.from(first.clientKeyData);
    }
    if (first.token) credentials = exec;
  }
  if (credentials) await credentials.authorization();
  const ca = await bytes(c['certificate-authority'], c['certificate-authority-data'], 'certificate authority', `cluster "${context.value.cluster ?? ''}" in ${cluster.file}`);
  const tls: TlsConfig = {
    ...(ca ? { ca } : {}),
    ...(cert ? { cert } : {}),
    ...(key ? { key } : {}),
    ...(c['tls-server-name'] ? { servername: c['tls-server-name'] } : {}),
    ...(c['insecure-skip-tls-verify'] ? { insecureSkipVerify: true } : {}),
  };
  const namespace = context.value.namespace;
  return { server: c.server, tls, headers, ...(credentials ? { credentials } : {}), ...(namespace ? { namespace } : {}) };
}
