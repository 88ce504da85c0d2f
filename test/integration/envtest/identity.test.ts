/**
 * TestEnvironment.issueIdentity against the real API server: the identity is who the server says
 * it is (SelfSubjectReview), and it may do what RBAC grants it and nothing more.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigMap, ClusterRole, ClusterRoleBinding, Role, RoleBinding, Secret, ServiceAccount } from '../../../runtime/src/api/builtins.js';
import type { KubeObject, Resource } from '../../../runtime/src/api/resource.js';
import { createClient, type Client } from '../../../runtime/src/client/client.js';
import { ApiError } from '../../../runtime/src/client/errors.js';
import { createTransport, type Transport } from '../../../runtime/src/client/transport.js';
import { TestEnvironment, TestEnvironmentError, type Identity } from '../../../runtime/src/testing/index.js';
import { eventually } from '../../support/poll.js';

interface SelfSubjectReview extends KubeObject {
  status?: { userInfo?: { username?: string; groups?: string[] } };
}
const SelfSubjectReview: Resource<SelfSubjectReview> = {
  group: 'authentication.k8s.io',
  version: 'v1',
  kind: 'SelfSubjectReview',
  plural: 'selfsubjectreviews',
  namespaced: false,
};

describe('TestEnvironment.issueIdentity', () => {
  const env = new TestEnvironment();
  const transports: Transport[] = [];
  let admin: Client;

  const clientOf = (identity: Identity): Client => {
    const transport = createTransport(identity.kubeConfig);
    transports.push(transport);
    return createClient(transport);
  };
  const whoAmI = async (client: Client): Promise<{ username?: string; groups?: string[] }> => {
    const review = await client.create(SelfSubjectReview, { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview', metadata: {} });
    return review.status?.userInfo ?? {};
  };
  const statusOf = async (call: () => Promise<unknown>): Promise<number> => {
    try {
      await call();
      return 200;
    } catch (err) {
      if (err instanceof ApiError) return err.status;
      throw err;
    }
  };

  beforeAll(async () => {
    const { kubeConfig } = await env.start();
    const transport = createTransport(kubeConfig);
    transports.push(transport);
    admin = createClient(transport);
  });
  afterAll(async () => {
    for (const t of transports) t.close();
    await env.stop();
  });

  it('issues a ServiceAccount token the API server authenticates as that ServiceAccount, creating the ServiceAccount and its namespace', async () => {
    const identity = await env.issueIdentity({ serviceAccount: { namespace: 'team-a', name: 'my-op' } });
    expect(identity.username).toBe('system:serviceaccount:team-a:my-op');
    expect(await admin.get(ServiceAccount, { namespace: 'team-a', name: 'my-op' })).toMatchObject({ metadata: { name: 'my-op' } });
    const user = await whoAmI(clientOf(identity));
    expect(user.username).toBe('system:serviceaccount:team-a:my-op');
    expect(user.groups).toEqual(expect.arrayContaining(['system:serviceaccounts', 'system:serviceaccounts:team-a', 'system:authenticated']));
    expect(user.groups).not.toContain('system:masters');
  });

  it('is denied what RBAC does not grant, and allowed exactly what a RoleBinding grants', async () => {
    const identity = await env.issueIdentity({ serviceAccount: { namespace: 'team-b', name: 'reader' } });
    const client = clientOf(identity);
    const listConfigMaps = (namespace: string) => () => client.list(ConfigMap, { namespace });
    expect(await statusOf(listConfigMaps('team-b'))).toBe(403);

    await admin.create(Role, {
      metadata: { name: 'cm-reader', namespace: 'team-b' },
      rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'list'] }],
    });
    await admin.create(RoleBinding, {
      metadata: { name: 'cm-reader', namespace: 'team-b' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'cm-reader' },
      subjects: [{ kind: 'ServiceAccount', name: 'reader', namespace: 'team-b' }],
    });
    await eventually(async () => (await statusOf(listConfigMaps('team-b'))) === 200, { what: 'the RoleBinding to take effect' });
    // only that verb, that resource, that namespace
    expect(await statusOf(() => client.list(Secret, { namespace: 'team-b' }))).toBe(403);
    expect(await statusOf(listConfigMaps('default'))).toBe(403);
    expect(await statusOf(() => client.create(ConfigMap, { metadata: { name: 'x', namespace: 'team-b' } }))).toBe(403);
  });

  it('issues a client certificate for a ServiceAccount that RBAC treats as the same subject', async () => {
    const identity = await env.issueIdentity({ serviceAccount: { namespace: 'team-b', name: 'reader' }, credential: 'certificate' });
    const client = clientOf(identity);
    expect((await whoAmI(client)).username).toBe('system:serviceaccount:team-b:reader');
    // the RoleBinding of the previous test names the ServiceAccount subject; it applies here too
    expect(await statusOf(() => client.list(ConfigMap, { namespace: 'team-b' }))).toBe(200);
    expect(await statusOf(() => client.list(Secret, { namespace: 'team-b' }))).toBe(403);
  });

  it('issues a client certificate for any user and groups, and RBAC applies to the group', async () => {
    const identity = await env.issueIdentity({ user: 'alice', groups: ['dev', 'qa'] });
    const client = clientOf(identity);
    const user = await whoAmI(client);
    expect(user.username).toBe('alice');
    expect(user.groups).toEqual(expect.arrayContaining(['dev', 'qa', 'system:authenticated']));
    expect(await statusOf(() => client.list(Secret, { namespace: 'default' }))).toBe(403);

    await admin.create(ClusterRole, { metadata: { name: 'secret-reader' }, rules: [{ apiGroups: [''], resources: ['secrets'], verbs: ['list'] }] });
    await admin.create(ClusterRoleBinding, {
      metadata: { name: 'qa-secret-reader' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'secret-reader' },
      subjects: [{ kind: 'Group', apiGroup: 'rbac.authorization.k8s.io', name: 'qa' }],
    });
    await eventually(async () => (await statusOf(() => client.list(Secret, { namespace: 'default' }))) === 200, { what: 'the group binding' });
    const bob = clientOf(await env.issueIdentity({ user: 'bob', groups: ['dev'] }));
    expect(await statusOf(() => bob.list(Secret, { namespace: 'default' }))).toBe(403);
  });

  it('refuses system:masters, malformed names and an unstarted environment, naming the fix', async () => {
    await expect(env.issueIdentity({ user: 'root', groups: ['system:masters'] })).rejects.toThrow(/admin kubeConfig from start\(\)/);
    await expect(env.issueIdentity({ serviceAccount: { namespace: 'Bad_NS', name: 'x' } })).rejects.toMatchObject({ reason: 'InvalidIdentity' });
    const idle = new TestEnvironment();
    const err = await idle.issueIdentity({ user: 'alice' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TestEnvironmentError);
    expect((err as TestEnvironmentError).message).toMatch(/call start\(\) first/);
  });
});
