/**
 * Every helper through `mgr.client` — reads from the informer cache — against a real API server:
 * the path a reconciler takes. Each read-modify-write helper runs with the default client (private
 * copies) and with `unsafeDisableDeepCopy` (the cache's shared, frozen objects).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigMap, Event } from '../../../runtime/src/api/builtins.js';
import type { Client } from '../../../runtime/src/client/client.js';
import type { Transport } from '../../../runtime/src/client/transport.js';
import { controller } from '../../../runtime/src/controller/builder.js';
import { findCondition, setCondition, type Condition } from '../../../runtime/src/helpers/conditions.js';
import { createOrPatch, createOrUpdate } from '../../../runtime/src/helpers/create-or-update.js';
import { finalizer } from '../../../runtime/src/helpers/finalizers.js';
import { isControlledBy, setControllerReference } from '../../../runtime/src/helpers/owner.js';
import { retryOnConflict } from '../../../runtime/src/helpers/retry.js';
import { cachedClient } from '../../../runtime/src/manager/client.js';
import { eventually } from '../../../runtime/src/testing/eventually.js';
import type { TestEnvironment } from '../../../runtime/src/testing/index.js';
import { startWidgetControlPlane, stopWidgetControlPlane } from '../../support/control-plane.js';
import { createNamespace, runManager, widget, type RunningManager } from '../../support/manager-harness.js';
import { Widget } from '../../support/widget.js';

let env: TestEnvironment;
let transport: Transport;
let direct: Client;
let running: RunningManager;
const ns = 'helpers-cached';
const FINALIZER = 'test.opkit.dev/cleanup';
const cleanedUp: string[] = [];

/** The reconciler of the finalizer flow: owns a ConfigMap, sets Ready, cleans the ConfigMap up on deletion. */
function registerFlow(mgr: RunningManager['mgr']): void {
  controller(mgr)
    .for(Widget)
    .reconcileObject(async (w, ctx) => {
      if (w.metadata?.labels?.['flow'] !== 'finalizer') return;
      await finalizer(ctx.client, Widget, w, FINALIZER, {
        apply: async (live) => {
          const key = { namespace: ns, name: `${live.metadata?.name ?? ''}-config` };
          await createOrUpdate(ctx.client, ConfigMap, key, (cm) => {
            cm.data = { size: String(live.spec?.size ?? 0) };
            setControllerReference(live, cm, Widget);
          });
          // `live` is a private copy: set the condition on it and write the status.
          const status = (live.status ??= {});
          const conditions = ((status['conditions'] as Condition[] | undefined) ??= []);
          const changed = setCondition(conditions, { type: 'Ready', status: 'True', reason: 'Reconciled', observedGeneration: live.metadata?.generation ?? 0 });
          if (changed) {
            await ctx.client.status.update(Widget, live);
            ctx.recorder.event('Normal', 'Reconciled', 'Reconcile', `config map ${key.name} is up to date`);
          }
        },
        cleanup: async (gone) => {
          await ctx.client.delete(ConfigMap, { namespace: ns, name: `${gone.metadata?.name ?? ''}-config` });
          cleanedUp.push(gone.metadata?.name ?? '');
        },
      });
    });
}

beforeAll(async () => {
  const plane = await startWidgetControlPlane();
  ({ env, transport, client: direct } = plane);
  await createNamespace(direct, ns);
  running = runManager(plane.kubeConfig, ns, registerFlow);
}, 120_000);

afterAll(async () => {
  await running?.stop();
  await stopWidgetControlPlane({ env, transport });
});

/** The manager's client, or one over the same cache that returns the shared, frozen objects. */
const clients: Array<[string, () => Client]> = [
  ['mgr.client (private copies)', () => running.mgr.client],
  ['unsafeDisableDeepCopy (shared frozen objects)', () => cachedClient({ reader: running.mgr.cache, writer: running.mgr.client, unsafeDisableDeepCopy: true })],
];

describe.each(clients)('read-modify-write helpers through %s', (label, clientOf) => {
  const suffix = label.startsWith('mgr') ? 'copy' : 'shared';

  it('createOrUpdate creates, then updates what the cache returned, then reports unchanged', async () => {
    const client = clientOf();
    const key = { namespace: ns, name: `cou-${suffix}` };
    const desired = (v: string) => (cm: ConfigMap) => void (cm.data = { ...cm.data, v });
    expect((await createOrUpdate(client, ConfigMap, key, desired('1'))).result).toBe('created');
    await eventually(async () => expect((await client.get(ConfigMap, key)).data).toEqual({ v: '1' }), { description: 'the cache to see the ConfigMap' });
    const updated = await createOrUpdate(client, ConfigMap, key, desired('2'));
    expect(updated.result).toBe('updated');
    expect((await direct.get(ConfigMap, key)).data).toEqual({ v: '2' });
    await eventually(async () => expect((await client.get(ConfigMap, key)).data).toEqual({ v: '2' }));
    expect((await createOrUpdate(client, ConfigMap, key, desired('2'))).result).toBe('unchanged');
  });

  it('createOrPatch patches the spec and the status subresource of a cached Widget', async () => {
    const client = clientOf();
    const key = { namespace: ns, name: `cop-${suffix}` };
    await direct.create(Widget, widget(ns, key.name));
    await eventually(() => client.get(Widget, key));
    const patched = await createOrPatch(client, Widget, key, (w) => {
      w.spec = { ...w.spec, color: 'green' };
      w.status = { phase: 'Ready' };
    });
    expect(patched.result).toBe('updated');
    expect(await direct.get(Widget, key)).toMatchObject({ spec: { size: 1, color: 'green' }, status: { phase: 'Ready' } });
  });

  it('retryOnConflict re-reads from the cache until three concurrent increments all land', async () => {
    const client = clientOf();
    const key = { namespace: ns, name: `counter-${suffix}` };
    await direct.create(ConfigMap, { metadata: key, data: { n: '0' } });
    await eventually(() => client.get(ConfigMap, key));
    let attempts = 0;
    // The cache lags the writes by a watch event: more, slower attempts than DefaultRetry.
    const backoff = { steps: 100, durationMs: 20, factor: 1, jitter: 0.5 };
    const increment = () =>
      retryOnConflict(async () => {
        attempts++;
        const cm = structuredClone(await client.get(ConfigMap, key));
        cm.data = { n: String(Number(cm.data?.['n'] ?? 0) + 1) };
        return client.update(ConfigMap, cm);
      }, { backoff });
    await Promise.all([increment(), increment(), increment()]);
    expect((await direct.get(ConfigMap, key)).data?.['n']).toBe('3');
    expect(attempts).toBeGreaterThan(3);
  });
});

describe('a reconciler written with the helpers, through mgr.client', () => {
  it('with reconcileObject + finalizer: adds the finalizer, owns a ConfigMap, sets Ready once, records an event; on delete cleans up and lets go', async () => {
    const key = { namespace: ns, name: 'flow' };
    await direct.create(Widget, widget(ns, 'flow', { size: 3 }, { flow: 'finalizer' }));
    const ready = await eventually(
      async () => {
        const w = await direct.get(Widget, key);
        expect(w.metadata?.finalizers).toEqual([FINALIZER]);
        const condition = findCondition(w.status?.['conditions'] as Condition[] | undefined, 'Ready');
        expect(condition).toMatchObject({ status: 'True', reason: 'Reconciled', observedGeneration: 1 });
        return { w, condition };
      },
      { description: 'the finalizer and the Ready condition' },
    );
    const cm = await direct.get(ConfigMap, { namespace: ns, name: 'flow-config' });
    expect(cm.data).toEqual({ size: '3' });
    expect(isControlledBy(cm, ready.w)).toBe(true);
    const events = await eventually(async () => {
      const list = (await direct.list(Event, { namespace: ns })).filter((e) => e.regarding?.name === 'flow' && e.reason === 'Reconciled');
      expect(list).toHaveLength(1);
      return list;
    });
    expect(events[0]).toMatchObject({ type: 'Normal', action: 'Reconcile', reportingController: 'widget', regarding: { kind: 'Widget', uid: ready.w.metadata?.uid } });

    // A spec change reconciles again; the condition's transition time stays (status did not change).
    await direct.patch(Widget, key, { spec: { size: 4 } });
    await eventually(async () => expect((await direct.get(ConfigMap, { namespace: ns, name: 'flow-config' })).data).toEqual({ size: '4' }));
    const after = await direct.get(Widget, key);
    expect(findCondition(after.status?.['conditions'] as Condition[] | undefined, 'Ready')?.lastTransitionTime).toBe(ready.condition?.lastTransitionTime);

    await direct.delete(Widget, key);
    await eventually(async () => expect(await direct.get(Widget, key).then(() => 'still there', (e: unknown) => (e as { status?: number }).status)).toBe(404), {
      description: 'the Widget to be gone after its cleanup',
    });
    expect(new Set(cleanedUp)).toEqual(new Set(['flow']));
    await expect(direct.get(ConfigMap, { namespace: ns, name: 'flow-config' })).rejects.toMatchObject({ status: 404 });
    // Conflicts from a lagging cache are retried and fine; a write to a frozen object is the bug.
    expect(running.lines.filter((l) => l['level'] === 'error' && /read only|not extensible|FrozenObject/.test(JSON.stringify(l)))).toEqual([]);
  });
});

describe('server-side apply with an apply configuration (the docs example)', () => {
  it('owns the fields it sends, keeps another manager\'s, gives up a field it stops sending, and applies status', async () => {
    const key = { namespace: ns, name: 'ssa' };
    await direct.create(Widget, { metadata: key, spec: { size: 1 } });
    await direct.patch(Widget, key, { metadata: { labels: { team: 'web' } } }, { fieldManager: 'someone-else' });
    const applied = await direct.apply(Widget, { metadata: { ...key, annotations: { owner: 'widget-controller' } }, spec: { size: 2, color: 'blue' } }, { fieldManager: 'widget-controller', force: true });
    expect(applied).toMatchObject({ metadata: { labels: { team: 'web' }, annotations: { owner: 'widget-controller' } }, spec: { size: 2, color: 'blue' } });
    // Not sending `color` any more gives it up: the server removes it (no other manager owns it).
    const again = await direct.apply(Widget, { metadata: key, spec: { size: 3 } }, { fieldManager: 'widget-controller', force: true });
    expect(again.spec).toEqual({ size: 3 });
    expect(again.metadata?.labels).toEqual({ team: 'web' });
    const status = await direct.status.apply(Widget, { metadata: key, status: { observedGeneration: again.metadata?.generation ?? 0, phase: 'Ready' } }, { fieldManager: 'widget-controller', force: true });
    expect(status.status).toEqual({ observedGeneration: again.metadata?.generation, phase: 'Ready' });
  });
});
