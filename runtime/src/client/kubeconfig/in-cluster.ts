import { access, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Clock } from '../../util/clock.js';
import type { RestConfig } from '../rest-config.js';
import { KubeConfigError } from './errors.js';
import { tokenFileCredentials } from './token-file.js';

/** Where kubelet mounts a pod's service account. */
export const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

/** Whether this process runs in a pod with a service account: the API server's address is set and the token is mounted. */
export async function inCluster(env: Readonly<Record<string, string | undefined>>, dir: string): Promise<boolean> {
  if (!env['KUBERNETES_SERVICE_HOST'] || !env['KUBERNETES_SERVICE_PORT']) return false;
  return access(join(dir, 'token')).then(
    () => true,
    () => false,
  );
}

/**
 * The in-cluster configuration (client-go's `rest.InClusterConfig`): the API server from
 * `KUBERNETES_SERVICE_HOST`/`_PORT`, the CA, token and namespace the pod's service account mounts.
 *
 * Guarantees: the token file is re-read every minute and after a 401 (kubelet rotates it in place).
 * @throws KubeConfigError `NotFound` outside a pod, `Unreadable` when the CA or the token cannot be read.
 */
export async function loadInCluster(options: { env: Readonly<Record<string, string | undefined>>; dir: string; clock: Clock }): Promise<RestConfig> {
  const host = options.env['KUBERNETES_SERVICE_HOST'];
  const port = options.env['KUBERNETES_SERVICE_PORT'];
  if (!host || !port)
    throw new KubeConfigError({ reason: 'NotFound', message: 'not in a cluster: KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT are not set' });
  const read = async (file: string, optional: boolean): Promise<string | undefined> => {
    try {
      return await readFile(join(options.dir, file), 'utf8');
    } catch (cause) {
      if (optional) return undefined;
      throw new KubeConfigError({ reason: 'Unreadable', message: `cannot read the service account's ${file} in ${options.dir}: ${(cause as Error).message}`, cause });
    }
  };
  const ca = await read('ca.crt', false);
  const credentials = tokenFileCredentials({ path: join(options.dir, 'token'), clock: options.clock });
  await credentials.authorization(); // the token must be readable now, not at the first request
  const namespace = (await read('namespace', true))?.trim();
  return {
    server: `https://${host.includes(':') ? `[${host}]` : host}:${port}`,
    tls: { ...(ca ? { ca } : {}) },
    credentials,
    ...(namespace ? { namespace } : {}),
  };
}
