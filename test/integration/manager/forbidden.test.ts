/**
 * An operator whose identity lacks RBAC rules, against a real API server (RBAC authorization):
 * `mgr.start()` fails at once with a typed error naming the missing rule, instead of retrying
 * warnings until the 2-minute cache-sync timeout.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Role, RoleBinding } from '../../../runtime/src/api/builtins.js';
import type { Client } from '../../../runtime/src/client/client.js';
import type { Transport } from '../../../runtime/src/client/transport.js';
import { controller } from '../../../runtime/src/controller/builder.js';
import { ManagerError } from '../../../runtime/src/errors/manager-error.js';
import { eventually } from '../../../runtime/src/testing/eventually.js';
import type { TestEnvironment } from '../../../runtime/src/testing/index.js';
import { ForbiddenError } from '../../../runtime/src/watch/errors.js';
import { startWidgetControlPlane, stopWidgetControlPlane } from '../../support/control-plane.js';
import { createNamespace, runManager } from '../../support/manager-harness.js';
import { Widget } from '../../support/widget.js';

let env: TestEnvironment;
let transport: Transport;
let admin: Client;
const ns = 'rbac';

beforeAll(async () => {
  ({ env, transport, client: admin } = await startWidgetControlPlane());
  await createNamespace(admin, ns);
}, 120_000);

afterAll(async () => {
  await stopWidgetControlPlane({ env, transport });
});

/** Grants `user` the verbs on widgets in the test namespace. */
async function grant(user: string, verbs: string[]): Promise<void> {
  const name = `${user}-widgets`;
  await admin.create(Role, { metadata: { namespace: ns, name }, rules: [{ apiGroups: ['test.opkit.dev'], resources: ['widgets'], verbs }] });
  await admin.create(RoleBinding, {
    metadata: { namespace: ns, name },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name },
    subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: user }],
  });
}

/** Starts a manager with a Widget controller as `kubeConfig`'s identity and waits for start() to fail. */
async function failedStartAs(kubeConfig: KubeConfig): Promise<{ error: unknown; ms: number; warnings: number }> {
  const t0 = performance.now();
  const running = runManager(kubeConfig, ns, (mgr) => controller(mgr).for(Widget).reconcile(() => undefined), { cacheSyncTimeoutMs: 120_000 });
  const error = await running.done.then(() => new Error('mgr.start() resolved'), (err: unknown) => err);
  const warnings = running.lines.filter((l) => l['msg'] === 'informer error (retrying)').length;
  return { error, ms: performance.now() - t0, warnings };
}

function forbiddenCause(err: unknown): ForbiddenError | undefined {
  for (let e = err; e instanceof Error; e = e.cause) if (e instanceof ForbiddenError) return e;
  return undefined;
}

describe('an identity without the RBAC rules the informers need', () => {
  it('fails mgr.start() at once when list is forbidden, naming group, resource, verb, namespace and the rule to grant', async () => {
    const alice = await env.issueIdentity({ user: 'alice' });
    const run = await failedStartAs(alice.kubeConfig);
    expect(run.error).toBeInstanceOf(ManagerError);
    expect(run.error).toMatchObject({ reason: 'CacheSyncFailed' });
    // Far below the 2-minute cache-sync timeout (generous for a loaded machine).
    expect(run.ms).toBeLessThan(20_000);
    expect(run.warnings).toBe(0);
    const forbidden = forbiddenCause(run.error);
    expect(forbidden).toMatchObject({ reason: 'Forbidden', retryable: false, group: 'test.opkit.dev', resource: 'widgets', verb: 'list', namespace: ns });
    const message = (run.error as Error).message;
    expect(message).toContain('forbidden to list widgets.test.opkit.dev in namespace "rbac"');
    expect(message).toContain('User "alice" cannot list resource "widgets" in API group "test.opkit.dev" in the namespace "rbac"');
    expect(message).toContain('{apiGroups: ["test.opkit.dev"], resources: ["widgets"], verbs: ["get", "list", "watch"]}');
  }, 60_000);

  it('fails at once when list is allowed but watch is forbidden (verb watch)', async () => {
    const bob = await env.issueIdentity({ user: 'bob' });
    await grant('bob', ['get', 'list']);
    const run = await failedStartAs(bob.kubeConfig);
    expect(run.error).toBeInstanceOf(ManagerError);
    expect(run.ms).toBeLessThan(20_000);
    expect(forbiddenCause(run.error)).toMatchObject({ verb: 'watch', group: 'test.opkit.dev', resource: 'widgets', namespace: ns });
    expect((run.error as Error).message).toContain('User "bob" cannot watch resource "widgets"');
  }, 60_000);

  it('runs once the named rule is granted', async () => {
    const carol = await env.issueIdentity({ user: 'carol' });
    await grant('carol', ['get', 'list', 'watch']);
    const running = runManager(carol.kubeConfig, ns, (mgr) => controller(mgr).for(Widget).reconcile(() => undefined));
    let failure: unknown;
    running.done.catch((err: unknown) => (failure = err));
    await eventually(() => expect(running.lines.some((l) => l['msg'] === 'Caches synced; starting runnables') || failure).toBe(true), { description: 'the caches to sync as carol' });
    expect(failure).toBeUndefined();
    await running.stop();
  }, 60_000);
});
