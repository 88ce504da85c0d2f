import { readFileSync } from 'node:fs';
import type { KubeConfig } from '@kubernetes/client-node';
import type { CredentialSource, RestConfig } from '../rest-config.js';
import { KubeConfigError } from './errors.js';

/** Whether `value` is a client-node `KubeConfig` (told apart from a {@link RestConfig} by shape). */
export function isClientNodeKubeConfig(value: RestConfig | KubeConfig): value is KubeConfig {
  return typeof (value as KubeConfig).getCurrentCluster === 'function' && typeof (value as KubeConfig).applyToHTTPSOptions === 'function';
}

function bytes(file: string | undefined, data: string | undefined): Buffer | undefined {
  if (file) return readFileSync(file);
  if (data) return Buffer.from(data, 'base64');
  return undefined;
}

/**
 * The {@link RestConfig} of a client-node `KubeConfig`'s current context, for operators that
 * already build one (this module imports client-node for its types only).
 *
 * Guarantees: TLS material, static tokens, basic auth and impersonation are read once, here; a user
 * with an exec plugin or an auth-provider (in-cluster token files included) keeps client-node's own
 * refresh: its `Authorization` header is asked from client-node on each request.
 * Caveats: client certificates that an exec plugin returns are not used (only its token).
 * @throws KubeConfigError `MissingEntry` when there is no current cluster.
 */
export function restConfigFromClientNode(kubeConfig: KubeConfig): RestConfig {
  const cluster = kubeConfig.getCurrentCluster();
  if (!cluster)
    throw new KubeConfigError({ reason: 'MissingEntry', message: 'the kubeconfig has no current cluster; set a current-context that names a cluster' });
  const user = kubeConfig.getCurrentUser();
  const headers: Record<string, string> = {};
  if (user?.token) headers['authorization'] = `Bearer ${user.token}`;
  if (user?.username) headers['authorization'] = `Basic ${Buffer.from(`${user.username}:${user.password ?? ''}`).toString('base64')}`;
  if (user?.impersonateUser) headers['impersonate-user'] = user.impersonateUser;
  const ca = bytes(cluster.caFile, cluster.caData);
  const cert = bytes(user?.certFile, user?.certData);
  const key = bytes(user?.keyFile, user?.keyData);
  const credentials: CredentialSource | undefined =
    user?.exec || user?.authProvider
      ? {
          async authorization() {
            const opts: { headers: Record<string, string> } = { headers: {} };
            await kubeConfig.applyToHTTPSOptions(opts);
            return opts.headers['Authorization'];
          },
        }
      : undefined;
  const namespace = kubeConfig.getContextObject(kubeConfig.getCurrentContext())?.namespace;
  return {
    server: cluster.server,
    tls: {
      ...(ca ? { ca } : {}),
      ...(cert ? { cert } : {}),
      ...(key ? { key } : {}),
      ...(cluster.tlsServerName ? { servername: cluster.tlsServerName } : {}),
      ...(cluster.skipTLSVerify ? { insecureSkipVerify: true } : {}),
    },
    headers,
    ...(credentials ? { credentials } : {}),
    ...(namespace ? { namespace } : {}),
  };
}
