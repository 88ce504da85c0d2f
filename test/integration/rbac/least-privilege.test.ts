/**
 * Least privilege against the real API server: `opkit generate rbac` on a fixture operator, its
 * roles applied, and the operator run as its ServiceAccount bound only to them — it syncs every
 * informer, reconciles (creating owned objects with blockOwnerDeletion, writing status, holding a
 * leader-election Lease) with zero 403s. A reconciler that calls a verb nothing declared gets one
 * log line naming the missing rule and the marker that grants it.
 */
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigMap, Lease, Manager, Secret, controller } from '@opkit/runtime';
import { createJsonLogger } from '@opkit/runtime/log';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateRbac } from '../../../codegen/rbac/generate-rbac.js';
import { createClient, type Client } from '../../../runtime/src/client/client.js';
import { ApiError } from '../../../runtime/src/client/errors.js';
import { createTransport, type Transport } from '../../../runtime/src/client/transport.js';
import { TestEnvironment, issueOperatorIdentity, type Identity } from '../../../runtime/src/testing/index.js';
import { Widget } from '../../fixtures/rbac-operator/src/api/widget.js';
import { registerWidgetController } from '../../fixtures/rbac-operator/src/controllers/widget.controller.js';
import { eventually } from '../../support/poll.js';
import { WIDGET_CRD } from '../../support/widget.js';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const FIXTURE = join(ROOT, 'test/fixtures/rbac-operator');

describe('an operator bound only to its generated RBAC', () => {
  // OwnerReferencesPermissionEnforcement (on in hardened clusters): blockOwnerDeletion needs update on <owner plural>/finalizers
  const env = new TestEnvironment({ crdPaths: [WIDGET_CRD], apiServerFlags: ['--enable-admission-plugins=OwnerReferencesPermissionEnforcement'] });
  const rbacDir = mkdtempSync(join(tmpdir(), 'opkit-rbac-it-'));
  let transport: Transport;
  let admin: Client;
  let identity: Identity;

  beforeAll(async () => {
    await generateRbac({ cwd: FIXTURE, out: rbacDir });
    // the templates' hand-written parts of config/rbac: the ServiceAccount and the leader-election binding
    for (const file of ['service_account.yaml', 'leader_election_role_binding.yaml']) copyFileSync(join(ROOT, 'templates/app/config/rbac', file), join(rbacDir, file));
    const { kubeConfig } = await env.start();
    transport = createTransport(kubeConfig);
    admin = createClient(transport);
    identity = await issueOperatorIdentity(env, { rbacDir, namespace: 'default' });
  });
  afterAll(async () => {
    transport?.close();
    await env.stop();
    rmSync(rbacDir, { recursive: true, force: true });
  });

  const run = (setup: (mgr: Manager) => void, leaderElection: boolean): { lines: string[]; stop: () => Promise<void> } => {
    const lines: string[] = [];
    const mgr = new Manager({
      kubeConfig: identity.kubeConfig,
      logger: createJsonLogger({ level: 'info', write: (line) => lines.push(line) }),
      ...(leaderElection ? { leaderElection: { name: 'widget-operator-leader', namespace: 'default' } } : {}),
    });
    setup(mgr);
    const abort = new AbortController();
    const running = mgr.start(abort.signal);
    return {
      lines,
      stop: async () => {
        abort.abort();
        await running;
      },
    };
  };

  it('is the ServiceAccount and nothing more: it may not read Secrets', async () => {
    expect(identity.username).toBe('system:serviceaccount:default:controller-manager');
    const operator = createClient(createTransport(identity.kubeConfig));
    const err = await operator.list(Secret, { namespace: 'default' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).status).toBe(403);
  });

  it('syncs its informers, takes the Lease, reconciles the Widget (owned ConfigMap, status) with zero 403s', async () => {
    const operator = run(registerWidgetController, true);
    try {
      await admin.create(Widget, { apiVersion: 'test.opkit.dev/v1', kind: 'Widget', metadata: { name: 'blue', namespace: 'default' }, spec: { color: 'blue' } });
      const cm = await eventually(() => admin.get(ConfigMap, { namespace: 'default', name: 'blue-config' }), { what: `the owned ConfigMap (logs: ${operator.lines.join('\n')})` });
      expect(cm.data).toEqual({ color: 'blue' });
      expect(cm.metadata?.ownerReferences?.[0]).toMatchObject({ kind: 'Widget', name: 'blue', controller: true, blockOwnerDeletion: true });
      await eventually(async () => (await admin.get(Widget, { namespace: 'default', name: 'blue' })).status?.observedGeneration === 1, { what: 'status.observedGeneration' });

      await admin.patch(Widget, { namespace: 'default', name: 'blue' }, { spec: { color: 'green' } }, { type: 'merge' });
      await eventually(async () => (await admin.get(ConfigMap, { namespace: 'default', name: 'blue-config' })).data?.['color'] === 'green', { what: 'the ConfigMap update' });
      const lease = await admin.get(Lease, { namespace: 'default', name: 'widget-operator-leader' });
      expect(lease.spec?.holderIdentity).toBeTruthy();

      expect(operator.lines.some((l) => l.includes('Caches synced'))).toBe(true);
      const denied = operator.lines.filter((l) => /\bforbidden\b|\b403\b(?!Z)/i.test(l));
      expect(denied).toEqual([]);
    } finally {
      await operator.stop();
    }
  });

  it('a reconciler calling a verb no marker declared logs one line naming the missing rule and the marker to add', async () => {
    const operator = run((mgr) => {
      controller(mgr)
        .named('overreach')
        .for(Widget)
        .withOptions({ needLeaderElection: false })
        .reconcile(async (req, ctx) => {
          await ctx.client.delete(Secret, { namespace: req.namespace ?? '', name: `${req.name}-token` });
        });
    }, false);
    try {
      const line = await eventually(() => operator.lines.find((l) => l.includes('RBAC forbids')), { what: `the forbidden line (logs: ${operator.lines.join('\n')})` });
      expect(line.split('\n')).toHaveLength(1);
      const record = JSON.parse(line) as Record<string, unknown>;
      expect(record).toMatchObject({
        level: 'error',
        controller: 'overreach',
        msg: 'RBAC forbids delete on secrets (API group "") in namespace "default": add "@rbac groups=core resources=secrets verbs=delete" to the controller and run opkit generate rbac',
        rule: { group: '', resource: 'secrets', verb: 'delete', namespace: 'default' },
      });
    } finally {
      await operator.stop();
    }
  });
});
