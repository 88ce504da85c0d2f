import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { ClusterRole, ClusterRoleBinding, Role, RoleBinding, ServiceAccount } from '../api/builtins.js';
import type { KubeObject, Resource } from '../api/resource.js';
import { createClient, type ApplyConfiguration } from '../client/client.js';
import { createTransport } from '../client/transport.js';
import type { TestEnvironment } from './environment.js';
import { TestEnvironmentError } from './errors.js';
import type { Identity } from './identity.js';

/** Options of {@link issueOperatorIdentity}. */
export interface OperatorIdentityOptions {
  /**
   * The project's RBAC folder (`config/rbac`): its ServiceAccount, Roles, ClusterRoles and their
   * bindings, as `opkit generate rbac` and the templates write them (kustomization.yaml is skipped).
   */
  readonly rbacDir: string;
  /**
   * The namespace the operator runs in (default `default`): replaces the kustomize placeholder
   * namespace `system` in the manifests, as config/default's `namespace:` does in a cluster.
   */
  readonly namespace?: string;
}

const KINDS: Readonly<Record<string, Resource>> = { ServiceAccount, Role, ClusterRole, RoleBinding, ClusterRoleBinding };
const PLACEHOLDER_NAMESPACE = 'system';

/**
 * Applies a project's RBAC manifests to a started environment (as the admin) and issues a token
 * for the ServiceAccount they bind: a client that may do exactly what the project's roles grant —
 * what the operator may do in a cluster — and nothing more.
 *
 * Guarantees: idempotent (server-side apply); every document is applied before the identity is
 * issued.
 *
 * @throws TestEnvironmentError `InvalidIdentity` when the folder has no ServiceAccount or holds a
 *   kind other than ServiceAccount, (Cluster)Role and (Cluster)RoleBinding; `NotStarted`.
 */
export async function issueOperatorIdentity(env: TestEnvironment, options: OperatorIdentityOptions): Promise<Identity> {
  const namespace = options.namespace ?? 'default';
  const objects = readManifests(options.rbacDir, namespace);
  const account = objects.find((o) => o.object.kind === 'ServiceAccount');
  if (account === undefined) {
    throw new TestEnvironmentError({
      reason: 'InvalidIdentity',
      message: `${options.rbacDir} has no ServiceAccount manifest (config/rbac/service_account.yaml in a generated project); the operator's identity is that ServiceAccount.`,
    });
  }
  const { kubeConfig } = await env.start();
  const transport = createTransport(kubeConfig);
  try {
    const admin = createClient(transport);
    // the identity ensures the ServiceAccount and its namespace; the roles may name that namespace
    const identity = await env.issueIdentity({ serviceAccount: { namespace, name: account.object.metadata.name } });
    for (const { resource, object } of objects) await admin.apply(resource, object, { fieldManager: 'opkit-envtest', force: true });
    return identity;
  } finally {
    transport.close();
  }
}

function readManifests(dir: string, namespace: string): Array<{ resource: Resource; object: ApplyConfiguration<KubeObject> }> {
  const files = readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f) && !/^kustomization\.ya?ml$/.test(f))
    .sort();
  const out: Array<{ resource: Resource; object: ApplyConfiguration<KubeObject> }> = [];
  for (const file of files) {
    for (const doc of parseAllDocuments(readFileSync(join(dir, file), 'utf8'))) {
      const object = doc.toJS() as (KubeObject & { subjects?: Array<{ kind?: string; namespace?: string }> }) | null;
      if (object === null) continue;
      const resource = KINDS[object.kind ?? ''];
      if (resource === undefined) {
        throw new TestEnvironmentError({
          reason: 'InvalidIdentity',
          message: `${join(dir, file)}: unexpected kind ${String(object.kind)} in an RBAC folder (expected ServiceAccount, Role, ClusterRole, RoleBinding or ClusterRoleBinding).`,
        });
      }
      const metadata = object.metadata ?? {};
      if (!metadata.name) throw new TestEnvironmentError({ reason: 'InvalidIdentity', message: `${join(dir, file)}: a ${object.kind} without metadata.name.` });
      if (resource.namespaced) metadata.namespace = !metadata.namespace || metadata.namespace === PLACEHOLDER_NAMESPACE ? namespace : metadata.namespace;
      for (const subject of object.subjects ?? []) {
        if (subject.kind === 'ServiceAccount' && (!subject.namespace || subject.namespace === PLACEHOLDER_NAMESPACE)) subject.namespace = namespace;
      }
      out.push({ resource, object: { ...object, apiVersion: object.apiVersion ?? '', metadata: { ...metadata, name: metadata.name } } as ApplyConfiguration<KubeObject> });
    }
  }
  return out;
}
