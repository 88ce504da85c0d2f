/**
 * Operating an operator against a real control plane: /metrics moving with real reconciles and
 * errors, /readyz only after the caches sync, finalizers, events.k8s.io/v1 aggregation, and what
 * reaches the logs.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Counter } from 'prom-client';
import { Event, Secret } from '../../../runtime/src/api/builtins.js';
import type { Client } from '../../../runtime/src/client/client.js';
import { isNotFound } from '../../../runtime/src/client/errors.js';
import type { Transport } from '../../../runtime/src/client/transport.js';
import { controller } from '../../../runtime/src/controller/builder.js';
import { EventBroadcaster } from '../../../runtime/src/events/recorder.js';
import { finalizer } from '../../../runtime/src/helpers/finalizers.js';
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

/** Parses a Prometheus text exposition into `name{labels}` → value. */
async function scrape(port: number): Promise<Map<string, number>> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line.startsWith('#') || line.trim() === '') continue;
    const i = line.lastIndexOf(' ');
    out.set(line.slice(0, i), Number(line.slice(i + 1)));
  }
  return out;
}

const status = async (url: string): Promise<number> => (await fetch(url)).status;

describe('operating an operator (real API server)', () => {
  it('/metrics shows the controller-runtime counters moving with real reconciles and errors', async () => {
    const ns = 'ops-metrics';
    await createNamespace(client, ns);
    let failures = 0;
    const run = runManager(
      kubeConfig,
      ns,
      (mgr) => {
        new Counter({ name: 'widget_operator_builds_total', help: 'user metric', registers: [mgr.metrics.registry] }).inc(7);
        const recorder = mgr.eventRecorder('widget-controller');
        controller(mgr)
          .for(Widget)
          .reconcile(async (req, ctx) => {
            const obj = await ctx.client.get(Widget, req);
            if (obj.spec?.color === 'bad') {
              failures++;
              recorder.event(obj, 'Warning', 'ReconcileFailed', 'Reconcile', 'color "bad" is not supported');
              throw new Error('unsupported color');
            }
            await ctx.client.status.patch(Widget, req, { status: { phase: 'Ready' } });
            recorder.event(obj, 'Normal', 'Reconciled', 'Reconcile', 'ready');
          });
      },
      { metricsBindAddress: '127.0.0.1:0', leaderElection: { name: 'ops-lock' } },
    );
    try {
      const port = await eventually(() => run.mgr.metricsAddress()?.port, { what: 'the metrics endpoint' });
      for (const name of ['m1', 'm2', 'm3']) await client.create(Widget, widget(ns, name));
      await client.create(Widget, widget(ns, 'broken', { size: 1, color: 'bad' }));
      const m = await eventually(
        async () => {
          const s = await scrape(port);
          return (s.get('controller_runtime_reconcile_total{controller="widget",result="success"}') ?? 0) >= 3 &&
            (s.get('controller_runtime_reconcile_errors_total{controller="widget"}') ?? 0) >= 3
            ? s
            : undefined;
        },
        { what: 'reconcile counters to move' },
      );
      expect(m.get('controller_runtime_reconcile_total{controller="widget",result="error"}')).toBeGreaterThanOrEqual(3);
      expect(m.get('controller_runtime_reconcile_time_seconds_count{controller="widget"}')).toBeGreaterThanOrEqual(6);
      expect(m.get('controller_runtime_max_concurrent_reconciles{controller="widget"}')).toBe(1);
      expect(m.has('controller_runtime_active_workers{controller="widget"}')).toBe(true);
      expect(m.get('workqueue_adds_total{name="widget"}')).toBeGreaterThanOrEqual(4);
      expect(m.get('workqueue_retries_total{name="widget"}')).toBeGreaterThanOrEqual(2);
      expect(m.get('workqueue_queue_duration_seconds_count{name="widget"}')).toBeGreaterThanOrEqual(6);
      expect(m.get('workqueue_work_duration_seconds_count{name="widget"}')).toBeGreaterThanOrEqual(6);
      expect(m.has('workqueue_depth{name="widget"}')).toBe(true);
      expect(m.get('leader_election_master_status{name="ops-lock"}')).toBe(1);
      expect(m.get('widget_operator_builds_total')).toBe(7);
      // Fix the broken object: the next reconcile succeeds and the error counter stops.
      await client.patch(Widget, { namespace: ns, name: 'broken' }, { spec: { color: 'blue' } });
      await eventually(async () => (await client.get(Widget, { namespace: ns, name: 'broken' })).status?.phase === 'Ready', { what: 'the fixed widget to be reconciled' });
      const after = await scrape(port);
      expect(after.get('controller_runtime_reconcile_total{controller="widget",result="success"}')).toBeGreaterThanOrEqual(4);
    } finally {
      await run.stop();
    }
    // The broadcaster writes the final series count on stop: one aggregated Warning event.
    const events = (await client.list(Event, { namespace: ns })).filter((e) => e.regarding?.name === 'broken' && e.type === 'Warning');
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ reason: 'ReconcileFailed', action: 'Reconcile', reportingController: 'widget-controller', series: { count: failures } });
    expect(failures).toBeGreaterThanOrEqual(3);
  });

  it('/readyz turns ready only after the caches sync (here: once the API server is back); /healthz runs user checks', async () => {
    // A forbidden list fails the manager at once (see test/integration/manager/forbidden.test.ts),
    // so the caches are kept from syncing by an API server that is down when the manager starts.
    const ns = 'ops-ready';
    await createNamespace(client, ns);
    await client.create(Widget, widget(ns, 'r1'));
    await env.stopApiServer();
    const reconciled: number[] = [];
    let healthy = true;
    let restartedAt = Number.POSITIVE_INFINITY;
    const run = runManager(
      kubeConfig,
      ns,
      (mgr) => {
        mgr.addHealthCheck('custom', () => healthy);
        controller(mgr)
          .for(Widget)
          .reconcile(() => void reconciled.push(Date.now()));
      },
      { healthProbeBindAddress: '127.0.0.1:0', cache: { watcher: { backoff: { initialMs: 100, maxMs: 400 } } } },
    );
    try {
      const port = await eventually(() => run.mgr.healthProbeAddress()?.port, { what: 'the probe endpoint' });
      const base = `http://127.0.0.1:${port}`;
      expect(await status(`${base}/healthz`)).toBe(200);
      // The list fails: the cache keeps retrying, so the manager is alive but not ready.
      await eventually(() => run.lines.some((l) => l['msg'] === 'informer error (retrying)'), { what: 'a failed list' });
      for (let i = 0; i < 3; i++) expect(await status(`${base}/readyz`)).toBe(500);
      expect(await (await fetch(`${base}/readyz?verbose`)).text()).toContain('[-]informer-sync failed: caches have not synced yet');
      expect(reconciled).toEqual([]);
      healthy = false;
      expect(await status(`${base}/healthz`)).toBe(500);
      healthy = true;
      restartedAt = Date.now();
      await env.startApiServer();
      await eventually(async () => (await status(`${base}/readyz`)) === 200, { what: 'readyz to turn ready' });
      await eventually(() => reconciled.length > 0, { what: 'the first reconcile' });
      expect(reconciled[0]).toBeGreaterThanOrEqual(restartedAt);
      expect(await status(`${base}/healthz`)).toBe(200);
    } finally {
      await env.startApiServer();
      await run.stop();
    }
  }, 120_000);

  it('a finalizer-guarded object is not deleted until cleanup succeeds; a failing cleanup is retried', async () => {
    const ns = 'ops-finalizer';
    await createNamespace(client, ns);
    const attempts: Array<{ at: number; stillThere: boolean }> = [];
    let applied = 0;
    let released = false;
    const run = runManager(kubeConfig, ns, (mgr) =>
      controller(mgr)
        .for(Widget)
        .reconcile(async (req, ctx) => {
          let obj: Widget;
          try {
            obj = await ctx.client.get(Widget, req);
          } catch (err) {
            if (isNotFound(err)) return;
            throw err;
          }
          await finalizer(ctx.client, Widget, obj, 'test.opkit.dev/cleanup', {
            apply: () => void applied++,
            cleanup: async () => {
              const live = await client.get(Widget, req).then(
                (o) => Boolean(o.metadata?.deletionTimestamp),
                () => false,
              );
              attempts.push({ at: Date.now(), stillThere: live });
              if (!released) throw new Error('external resource not released yet');
            },
          });
        }),
    );
    try {
      await client.create(Widget, widget(ns, 'guarded'));
      await eventually(async () => (await client.get(Widget, { namespace: ns, name: 'guarded' })).metadata?.finalizers?.includes('test.opkit.dev/cleanup'), {
        what: 'the finalizer to be added',
      });
      expect(applied).toBeGreaterThanOrEqual(1);
      await client.delete(Widget, { namespace: ns, name: 'guarded' });
      await eventually(() => attempts.length >= 2, { what: 'two failed cleanups' });
      const during = await client.get(Widget, { namespace: ns, name: 'guarded' });
      expect(during.metadata?.deletionTimestamp).toBeTruthy();
      expect(during.metadata?.finalizers).toEqual(['test.opkit.dev/cleanup']);
      const failed = attempts.length;
      released = true;
      await eventually(
        async () => {
          try {
            await client.get(Widget, { namespace: ns, name: 'guarded' });
            return false;
          } catch (err) {
            return isNotFound(err);
          }
        },
        { what: 'the object to be deleted after cleanup' },
      );
      expect(attempts.length).toBeGreaterThan(failed);
      expect(attempts.every((a) => a.stillThere)).toBe(true);
      const cleanupErrors = run.lines.filter((l) => l['msg'] === 'Reconciler error' && String((l['err'] as { message?: string })?.message).includes('cleanup'));
      expect(cleanupErrors).toHaveLength(attempts.length - 1);
    } finally {
      await run.stop();
    }
  });

  it('events.k8s.io/v1: identical events become one Event with a series; different notes stay apart', async () => {
    const ns = 'ops-events';
    await createNamespace(client, ns);
    const obj = await client.create(Widget, widget(ns, 'ev'));
    const broadcaster = new EventBroadcaster({ client, instance: 'test' });
    const recorder = broadcaster.recorder('widget-controller');
    for (let i = 0; i < 5; i++) recorder.event(obj, 'Normal', 'Scaled', 'Scale', 'scaled to 3');
    recorder.event(obj, 'Normal', 'Scaled', 'Scale', 'scaled to 4');
    await broadcaster.flush();
    const events = await client.list(Event, { namespace: ns });
    expect(events).toHaveLength(2);
    const series = events.find((e) => e.note === 'scaled to 3');
    expect(series).toMatchObject({
      type: 'Normal',
      reason: 'Scaled',
      action: 'Scale',
      reportingController: 'widget-controller',
      reportingInstance: 'widget-controller-test',
      regarding: { kind: 'Widget', name: 'ev', namespace: ns, uid: obj.metadata?.uid },
      series: { count: 5 },
    });
    expect(String(series?.series?.lastObservedTime)).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    expect(events.find((e) => e.note === 'scaled to 4')?.series).toBeUndefined();
  });

  it('every log line inside a reconcile carries controller, kind, namespace, name and reconcileID; Secret data never reaches the log', async () => {
    const ns = 'ops-logs';
    await createNamespace(client, ns);
    await client.create(Secret, { metadata: { namespace: ns, name: 'creds' }, stringData: { password: 'hunter2-do-not-log' } });
    const run = runManager(kubeConfig, ns, (mgr) =>
      controller(mgr)
        .for(Widget)
        .reconcile(async (req, ctx) => {
          const secret = await mgr.apiReader.get(Secret, { namespace: ns, name: 'creds' });
          ctx.log.info('Read the credentials', { secret });
          ctx.log.debug('Whole list', { items: await mgr.apiReader.list(Secret, { namespace: ns }) });
        }),
    );
    try {
      await client.create(Widget, widget(ns, 'logged'));
      await eventually(() => run.lines.some((l) => l['msg'] === 'Read the credentials'), { what: 'the reconcile log line' });
    } finally {
      await run.stop();
    }
    const inside = run.lines.filter((l) => l['reconcileID'] !== undefined);
    expect(inside.length).toBeGreaterThanOrEqual(3);
    for (const l of inside) expect(l).toMatchObject({ controller: 'widget', kind: 'Widget', namespace: ns, name: 'logged' });
    const logged = run.lines.find((l) => l['msg'] === 'Read the credentials');
    expect(logged?.['secret']).toMatchObject({ kind: 'Secret', data: { password: '[REDACTED]' } });
    const all = JSON.stringify(run.lines);
    expect(all).not.toContain('hunter2-do-not-log');
    expect(all).not.toContain(Buffer.from('hunter2-do-not-log').toString('base64'));
  });
});
