import type { KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigMap } from '../../../runtime/src/api/builtins.js';
import type { Client } from '../../../runtime/src/client/client.js';
import { isNotFound } from '../../../runtime/src/client/errors.js';
import type { Transport } from '../../../runtime/src/client/transport.js';
import { controller } from '../../../runtime/src/controller/builder.js';
import { TerminalError } from '../../../runtime/src/controller/errors.js';
import { generationChanged } from '../../../runtime/src/predicates/predicates.js';
import type { TestEnvironment } from '../../../runtime/src/testing/index.js';
import { createNamespace, runManager, widget } from '../../support/manager-harness.js';
import { stopWidgetControlPlane, startWidgetControlPlane } from '../../support/control-plane.js';
import { eventually } from '../../support/poll.js';
import { Widget } from '../../support/widget.js';

let env: TestEnvironment;
let kubeConfig: KubeConfig;
let transport: Transport;
let client: Client;

beforeAll(async () => {
  ({ env, kubeConfig, transport, client } = await startWidgetControlPlane());
});

afterAll(async () => {
  await stopWidgetControlPlane({ env, transport });
});

describe('controller against a real API server', () => {
  it('reconciles a Widget on create, update and delete, reading it from the cache', async () => {
    const ns = 'ctl-crud';
    await createNamespace(client, ns);
    const seen: string[] = [];
    const run = runManager(kubeConfig, ns, (mgr) =>
      controller(mgr)
        .for(Widget)
        .reconcile(async (req, ctx) => {
          try {
            const w = await ctx.client.get(Widget, req);
            seen.push(`${req.name}@${w.metadata?.generation}`);
          } catch (err) {
            if (!isNotFound(err)) throw err;
            seen.push(`${req.name}@gone`);
          }
        }),
    );
    try {
      await client.create(Widget, widget(ns, 'w1'));
      await eventually(() => seen.includes('w1@1'), { what: 'reconcile after create' });
      await client.patch(Widget, { namespace: ns, name: 'w1' }, { spec: { size: 2 } });
      await eventually(() => seen.includes('w1@2'), { what: 'reconcile after update' });
      await client.delete(Widget, { namespace: ns, name: 'w1' });
      await eventually(() => seen.includes('w1@gone'), { what: 'reconcile after delete' });
    } finally {
      await run.stop();
    }
  });

  it('reconciles the controlling owner when an owned ConfigMap changes, and mapped keys for watches', async () => {
    const ns = 'ctl-owns';
    await createNamespace(client, ns);
    const counts = new Map<string, number>();
    const run = runManager(kubeConfig, ns, (mgr) =>
      controller(mgr)
        .for(Widget)
        .owns(ConfigMap)
        .watches(ConfigMap, (cm) => {
          const target = cm.metadata?.labels?.['widget'];
          return target ? [{ namespace: cm.metadata?.namespace, name: target }] : [];
        })
        .reconcile((req) => void counts.set(req.name, (counts.get(req.name) ?? 0) + 1)),
    );
    try {
      const owner = await client.create(Widget, widget(ns, 'owner'));
      await client.create(Widget, widget(ns, 'mapped'));
      await eventually(() => counts.get('owner') === 1 && counts.get('mapped') === 1, { what: 'initial reconciles' });
      const ref = { apiVersion: 'test.opkit.dev/v1', kind: 'Widget', name: 'owner', uid: owner.metadata?.uid ?? '', controller: true };
      await client.create(ConfigMap, { metadata: { namespace: ns, name: 'owned', ownerReferences: [ref] }, data: { a: '1' } });
      await eventually(() => (counts.get('owner') ?? 0) >= 2, { what: 'owner reconcile after owned create' });
      const before = counts.get('owner') ?? 0;
      await client.patch(ConfigMap, { namespace: ns, name: 'owned' }, { data: { a: '2' } });
      await eventually(() => (counts.get('owner') ?? 0) > before, { what: 'owner reconcile after owned update' });
      await client.create(ConfigMap, { metadata: { namespace: ns, name: 'pointer', labels: { widget: 'mapped' } } });
      await eventually(() => (counts.get('mapped') ?? 0) >= 2, { what: 'mapped reconcile' });
      await client.create(ConfigMap, { metadata: { namespace: ns, name: 'elsewhere', labels: { widget: 'nobody' } } });
      await eventually(() => counts.get('nobody') === 1, { what: 'mapped key of a missing object is still enqueued' });
    } finally {
      await run.stop();
    }
  });

  it('never runs two reconciles of one key at once under concurrency(8); 100 updates during a slow reconcile cause one more', async () => {
    const ns = 'ctl-conc';
    await createNamespace(client, ns);
    const inFlight = new Set<string>();
    const runs = new Map<string, number>();
    let overlaps = 0;
    let maxParallel = 0;
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => (release = r));
    const run = runManager(kubeConfig, ns, (mgr) =>
      controller(mgr)
        .for(Widget)
        .withPredicates(generationChanged()) // our own status writes do not come back as work
        .concurrency(8)
        .reconcile(async (req, ctx) => {
          if (inFlight.has(req.name)) overlaps++;
          inFlight.add(req.name);
          maxParallel = Math.max(maxParallel, inFlight.size);
          runs.set(req.name, (runs.get(req.name) ?? 0) + 1);
          try {
            if (req.name === 'slow' && runs.get('slow') === 1) await gate;
            await ctx.client.status.patch(Widget, req, { status: { phase: `run-${runs.get(req.name)}` } });
          } finally {
            inFlight.delete(req.name);
          }
        }),
    );
    try {
      await client.create(Widget, widget(ns, 'slow'));
      await eventually(() => runs.get('slow') === 1, { what: 'slow reconcile to start' });
      const others = Array.from({ length: 30 }, (_, i) => `w${i}`);
      await Promise.all(others.map((n) => client.create(Widget, widget(ns, n))));
      let last: Widget | undefined;
      for (let i = 0; i < 100; i++) last = await client.patch(Widget, { namespace: ns, name: 'slow' }, { spec: { size: i + 2 } });
      const informer = run.mgr.cache.informerFor(Widget, { namespace: ns });
      const rv = last?.metadata?.resourceVersion;
      await eventually(() => informer.store.get(`${ns}/slow`)?.metadata?.resourceVersion === rv, { what: 'cache to see the 100th update' });
      await eventually(() => others.every((n) => (runs.get(n) ?? 0) >= 1), { what: 'other widgets reconciled' });
      expect(runs.get('slow')).toBe(1);
      release();
      await eventually(() => runs.get('slow') === 2, { what: 'one more slow reconcile' });
      // barrier: a fresh object's reconcile; any stray third run of `slow` would have been queued before it
      await client.create(Widget, widget(ns, 'sentinel'));
      await eventually(() => runs.get('sentinel') === 1 && inFlight.size === 0, { what: 'sentinel reconcile' });
      expect(runs.get('slow')).toBe(2);
      expect(overlaps).toBe(0);
      expect(maxParallel).toBeGreaterThan(1);
    } finally {
      release();
      await run.stop();
    }
  });

  it('honours requeueAfter, retries errors (Error or not) with growing delays and logs them, and does not retry a TerminalError', async () => {
    const ns = 'ctl-outcomes';
    await createNamespace(client, ns);
    const times = new Map<string, number[]>();
    const run = runManager(kubeConfig, ns, (mgr) =>
      controller(mgr)
        .for(Widget)
        .reconcile((req) => {
          const t = times.get(req.name) ?? [];
          t.push(performance.now());
          times.set(req.name, t);
          if (req.name === 'later' && t.length === 1) return { requeueAfter: 400 };
          if (req.name === 'flaky' && t.length <= 4) throw new Error(`attempt ${t.length}`);
          if (req.name === 'weird' && t.length <= 2) throw { not: 'an error' };
          if (req.name === 'terminal') throw new TerminalError('spec is invalid');
          return undefined;
        }),
    );
    try {
      await client.create(Widget, widget(ns, 'later'));
      await client.create(Widget, widget(ns, 'flaky'));
      await client.create(Widget, widget(ns, 'weird'));
      await client.create(Widget, widget(ns, 'terminal'));
      await eventually(() => times.get('later')?.length === 2, { what: 'requeueAfter to fire' });
      const [l0 = 0, l1 = 0] = times.get('later') ?? [];
      expect(l1 - l0).toBeGreaterThanOrEqual(390);
      await eventually(() => times.get('flaky')?.length === 5, { what: 'flaky retries' });
      const f = times.get('flaky') ?? [];
      const gaps = f.slice(1).map((t, i) => t - (f[i] ?? 0));
      // backoff 5, 10, 20, 40 ms: each gap is at least its (growing) delay; load can only add to it
      [5, 10, 20, 40].forEach((delay, i) => expect(gaps[i] ?? 0).toBeGreaterThanOrEqual(delay - 2));
      await eventually(() => times.get('weird')?.length === 3, { what: 'non-Error throws retried' });
      const weirdErrors = run.lines.filter((l) => l['name'] === 'weird' && l['msg'] === 'Reconciler error');
      expect(weirdErrors).toHaveLength(2);
      expect(weirdErrors[0]).toMatchObject({ controller: 'widget', kind: 'Widget', namespace: ns, err: { message: '{"not":"an error"}' } });
      await client.create(Widget, widget(ns, 'sentinel'));
      await eventually(() => times.get('sentinel')?.length === 1, { what: 'sentinel reconcile' });
      expect(times.get('terminal')).toHaveLength(1);
      expect(run.lines.some((l) => l['name'] === 'terminal' && String(l['msg']).includes('terminal'))).toBe(true);
    } finally {
      await run.stop();
    }
  });
});
