import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { issueClientCertificate, type KeyPair } from './certs.js';
import { TestEnvironmentError } from './errors.js';
import { restRequest, statusMessage, type RestTarget } from './rest.js';

/** A ServiceAccount, by namespace and name. */
export interface ServiceAccountRef {
  readonly namespace: string;
  readonly name: string;
}

/**
 * Who a client identity is: a ServiceAccount, or any user and groups.
 *
 * - `{ serviceAccount }` authenticates as `system:serviceaccount:<ns>:<name>` in the groups
 *   `system:serviceaccounts`, `system:serviceaccounts:<ns>` and `system:authenticated`, exactly as a
 *   pod mounting that ServiceAccount would. `credential: 'token'` (the default) asks the API server
 *   for a bound token (TokenRequest); `'certificate'` signs a client certificate for the same
 *   username and groups instead.
 * - `{ user, groups }` is a client certificate for that user (CN) and groups (O).
 */
export type IdentityRequest =
  | {
      readonly serviceAccount: ServiceAccountRef;
      /** How the identity proves itself (default `'token'`). */
      readonly credential?: 'token' | 'certificate';
      /** Lifetime of a token, in seconds (default 86 400; the API server's minimum is 600). */
      readonly expirationSeconds?: number;
    }
  | {
      readonly user: string;
      /** Groups the user is in (default none; the API server adds `system:authenticated`). */
      readonly groups?: readonly string[];
    };

/** A client identity issued by {@link TestEnvironment.issueIdentity}. */
export interface Identity {
  /** The username the API server sees, e.g. `system:serviceaccount:default:my-op`. */
  readonly username: string;
  /** The groups the credential carries (the API server adds `system:authenticated`). */
  readonly groups: readonly string[];
  /** A KubeConfig authenticating as this identity. */
  readonly kubeConfig: KubeConfig;
  /** The same kubeconfig on disk (inside the environment's temp dir), for child processes. */
  readonly kubeconfigPath: string;
}

/** What issuing an identity needs from a started environment. */
export interface IdentityIssuer {
  /** The admin connection (creates ServiceAccounts, requests tokens). */
  readonly target: RestTarget;
  /** The client CA that kube-apiserver trusts (`--client-ca-file`), with its private key. */
  readonly clientCa: KeyPair;
  /** Where the kubeconfig files go. */
  readonly dir: string;
  /** Names the kubeconfig file uniquely within `dir`. */
  readonly sequence: number;
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

/**
 * Issues a client identity: ensures the ServiceAccount exists (creating it when missing), gets a
 * credential for it and writes a kubeconfig.
 *
 * Guarantees: the identity has no permissions beyond what RBAC grants its username and groups (it
 * is never in `system:masters`).
 *
 * @throws TestEnvironmentError `InvalidIdentity` for a malformed name, `IdentityFailed` when the
 *   API server refuses to create the ServiceAccount or the token.
 */
export async function issueIdentity(issuer: IdentityIssuer, request: IdentityRequest): Promise<Identity> {
  let username: string;
  let groups: readonly string[];
  let user: { name: string; token?: string; certData?: string; keyData?: string };
  if ('serviceAccount' in request) {
    const { namespace, name } = request.serviceAccount;
    if (!DNS_LABEL.test(namespace) || !DNS_SUBDOMAIN.test(name)) {
      throw new TestEnvironmentError({
        reason: 'InvalidIdentity',
        message: `ServiceAccount ${namespace}/${name} is not a valid name: the namespace must be a DNS label and the name a DNS subdomain (lowercase letters, digits, '-').`,
      });
    }
    username = `system:serviceaccount:${namespace}:${name}`;
    groups = ['system:serviceaccounts', `system:serviceaccounts:${namespace}`];
    await ensureServiceAccount(issuer.target, request.serviceAccount);
    if ((request.credential ?? 'token') === 'token') {
      const token = await requestToken(issuer.target, request.serviceAccount, request.expirationSeconds ?? 86_400);
      user = { name, token };
    } else {
      const pair = issueClientCertificate(issuer.clientCa, username, groups);
      user = { name, certData: b64(pair.cert), keyData: b64(pair.key) };
    }
  } else {
    if (request.user.trim() === '') {
      throw new TestEnvironmentError({ reason: 'InvalidIdentity', message: 'issueIdentity({ user }) needs a non-empty user name.' });
    }
    if ((request.groups ?? []).includes('system:masters')) {
      throw new TestEnvironmentError({
        reason: 'InvalidIdentity',
        message: 'issueIdentity() does not issue system:masters identities; use the admin kubeConfig from start() for that.',
      });
    }
    username = request.user;
    groups = [...(request.groups ?? [])];
    const pair = issueClientCertificate(issuer.clientCa, username, groups);
    user = { name: 'user', certData: b64(pair.cert), keyData: b64(pair.key) };
  }

  const kubeConfig = new KubeConfig();
  const namespace = 'serviceAccount' in request ? request.serviceAccount.namespace : 'default';
  kubeConfig.loadFromOptions({
    clusters: [{ name: 'envtest', server: issuer.target.server, caData: b64(issuer.target.ca), skipTLSVerify: false }],
    users: [user],
    contexts: [{ name: 'envtest', cluster: 'envtest', user: user.name, namespace }],
    currentContext: 'envtest',
  });
  const kubeconfigPath = join(issuer.dir, `kubeconfig-identity-${issuer.sequence}`);
  writeFileSync(kubeconfigPath, kubeConfig.exportConfig(), { mode: 0o600 });
  return { username, groups, kubeConfig, kubeconfigPath };
}

async function ensureServiceAccount(target: RestTarget, sa: ServiceAccountRef): Promise<void> {
  const nsRes = await restRequest(target, 'POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: sa.namespace } });
  if (nsRes.status >= 300 && nsRes.status !== 409) refused(`create namespace ${sa.namespace}`, nsRes);
  const res = await restRequest(target, 'POST', `/api/v1/namespaces/${sa.namespace}/serviceaccounts`, {
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: { name: sa.name, namespace: sa.namespace },
  });
  if (res.status >= 300 && res.status !== 409) refused(`create ServiceAccount ${sa.namespace}/${sa.name}`, res);
}

async function requestToken(target: RestTarget, sa: ServiceAccountRef, expirationSeconds: number): Promise<string> {
  const res = await restRequest(target, 'POST', `/api/v1/namespaces/${sa.namespace}/serviceaccounts/${sa.name}/token`, {
    apiVersion: 'authentication.k8s.io/v1',
    kind: 'TokenRequest',
    spec: { expirationSeconds },
  });
  if (res.status >= 300) refused(`request a token for ServiceAccount ${sa.namespace}/${sa.name}`, res);
  const token = (JSON.parse(res.body) as { status?: { token?: string } }).status?.token;
  if (!token) refused(`request a token for ServiceAccount ${sa.namespace}/${sa.name}`, res);
  return token;
}

function refused(what: string, res: { status: number; body: string }): never {
  throw new TestEnvironmentError({
    reason: 'IdentityFailed',
    message: `the API server refused to ${what} (HTTP ${res.status}): ${statusMessage(res.body)}`,
  });
}

function b64(text: string): string {
  return Buffer.from(text).toString('base64');
}
