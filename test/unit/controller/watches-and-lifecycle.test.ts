import { describe, expect, it } from 'vitest';
import { ConfigMap } from '../../../runtime/src/api/builtins.js';
import { controller } from '../../../runtime/src/controller/builder.js';
import { ControllerError } from '../../../runtime/src/controller/errors.js';
import { generationChanged, predicate } from '../../../runtime/src/predicates/predicates.js';
import { fakeHost, settle } from '../../support/controller-host.js';
import { Widget } from '../../support/widget.js';

const w = (name: string, meta: Partial<NonNullable<Widget['metadata']>> = {}): Widget => ({
  metadata: { namespace: 'ns', name, generation: 1, resourceVersion: '1', ...meta },
});
const cm = (name: string, owner?: { kind: string; apiVersion: string; name: string; controller?: boolean }): ConfigMap => ({
  metadata: { namespace: 'ns', name, ...(owner ? { ownerReferences: [{ uid: 'u', controller: true, ...owner }] } : {}) },
});

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe('controller watches and lifecycle (fake cache, fake clock)', () => {
  it('starts reconciling only after every watched informer has synced', async () => {
    const h = fakeHost();
    const seen: string[] = [];
    const ctl = controller(h.host).for(Widget).owns(ConfigMap).reconcile((req) => void seen.push(req.name));
    const widgets = h.cache.informerFor(Widget);
    const cms = h.cache.informerFor(ConfigMap);
    widgets.add(w('a'));
    const abort = new AbortController();
    const done = ctl.start(abort.signal);
    widgets.sync();
    await settle(undefined, 10);
    expect(seen).toEqual([]);
    cms.sync();
    await settle(() => seen.length > 0);
    expect(seen).toEqual(['a']);
    abort.abort();
    await done;
    expect(widgets.handlerCount).toBe(0);
  });

  it('enqueues the primary key on create, update and delete; the owner on owned changes; mapped keys for watches', async () => {
    const h = fakeHost();
    const seen: string[] = [];
    const ctl = controller(h.host)
      .for(Widget)
      .owns(ConfigMap)
      .watches(ConfigMap, (o) => (o.metadata?.labels?.['widget'] ? [{ namespace: 'ns', name: o.metadata.labels['widget'] }] : []))
      .reconcile((req) => void seen.push(`${req.namespace}/${req.name}`));
    const widgets = h.cache.informerFor(Widget);
    const cms = h.cache.informerFor(ConfigMap);
    widgets.sync();
    cms.sync();
    const abort = new AbortController();
    const done = ctl.start(abort.signal);
    const expectNext = async (act: () => void, expected: string[]) => {
      seen.length = 0;
      act();
      await settle(() => seen.length >= expected.length);
      await settle(undefined, 3);
      expect(seen.sort()).toEqual(expected);
    };
    await expectNext(() => widgets.add(w('a')), ['ns/a']);
    await expectNext(() => widgets.update(w('a', { generation: 2 })), ['ns/a']);
    await expectNext(() => widgets.remove(w('a')), ['ns/a']);
    await expectNext(() => cms.add(cm('c1', { kind: 'Widget', apiVersion: 'test.opkit.dev/v1', name: 'owner' })), ['ns/owner']);
    await expectNext(() => cms.add(cm('c2', { kind: 'Widget', apiVersion: 'test.opkit.dev/v1beta1', name: 'other-version' })), ['ns/other-version']);
    await expectNext(() => cms.add(cm('c3', { kind: 'Widget', apiVersion: 'test.opkit.dev/v1', name: 'x', controller: false })), []);
    await expectNext(() => cms.add(cm('c4', { kind: 'Widget', apiVersion: 'other.dev/v1', name: 'x' })), []);
    await expectNext(() => cms.add(cm('c5', { kind: 'Deployment', apiVersion: 'apps/v1', name: 'x' })), []);
    await expectNext(() => cms.add({ metadata: { namespace: 'ns', name: 'c6', labels: { widget: 'mapped' } } }), ['ns/mapped']);
    abort.abort();
    await done;
  });

  it('applies builder-wide and per-watch predicates', async () => {
    const h = fakeHost();
    const seen: string[] = [];
    const ctl = controller(h.host)
      .for(Widget, { predicates: [predicate<Widget>({ delete: () => false })] })
      .withPredicates(generationChanged())
      .reconcile((req) => void seen.push(req.name));
    const widgets = h.cache.informerFor(Widget);
    widgets.sync();
    const abort = new AbortController();
    const done = ctl.start(abort.signal);
    widgets.add(w('a'));
    await settle(() => seen.length === 1);
    widgets.update(w('a', { resourceVersion: '2' })); // status-only write: same generation
    widgets.remove(w('a'));
    await settle(undefined, 5);
    expect(seen).toEqual(['a']);
    abort.abort();
    await done;
  });

  it('never runs two reconciles of one key at once, and 100 updates during a slow reconcile cause one more run', async () => {
    const h = fakeHost();
    const inFlight = new Set<string>();
    let overlaps = 0;
    const runs = new Map<string, number>();
    const gate = deferred();
    const ctl = controller(h.host)
      .for(Widget)
      .concurrency(8)
      .reconcile(async (req) => {
        if (inFlight.has(req.name)) overlaps++;
        inFlight.add(req.name);
        runs.set(req.name, (runs.get(req.name) ?? 0) + 1);
        if (req.name === 'slow' && runs.get('slow') === 1) await gate.promise;
        await Promise.resolve();
        inFlight.delete(req.name);
      });
    const widgets = h.cache.informerFor(Widget);
    widgets.sync();
    const abort = new AbortController();
    const done = ctl.start(abort.signal);
    widgets.add(w('slow'));
    for (let i = 0; i < 20; i++) widgets.add(w(`o${i}`));
    await settle(() => runs.get('slow') === 1);
    for (let i = 0; i < 100; i++) widgets.update(w('slow', { resourceVersion: String(i + 2), generation: i + 2 }));
    for (let i = 0; i < 20; i++) widgets.update(w(`o${i}`, { resourceVersion: '9' }));
    await settle(undefined, 5);
    expect(runs.get('slow')).toBe(1);
    gate.resolve();
    await settle(() => runs.get('slow') === 2);
    await settle(undefined, 5);
    expect(runs.get('slow')).toBe(2);
    expect(overlaps).toBe(0);
    abort.abort();
    await done;
  });

  it('on abort takes no new work, lets in-flight reconciles finish, and resolves', async () => {
    const h = fakeHost({ gracefulShutdownTimeoutMs: 5000 });
    const gate = deferred();
    const started: string[] = [];
    const finished: string[] = [];
    const ctl = controller(h.host)
      .for(Widget)
      .reconcile(async (req, ctx) => {
        started.push(req.name);
        await gate.promise;
        expect(ctx.signal.aborted).toBe(false);
        finished.push(req.name);
      });
    const widgets = h.cache.informerFor(Widget);
    widgets.add(w('a'));
    widgets.add(w('b'));
    widgets.sync();
    const abort = new AbortController();
    let resolved = false;
    const done = ctl.start(abort.signal).then(() => (resolved = true));
    await settle(() => started.length === 1);
    abort.abort();
    await h.clock.advance(1000);
    expect(resolved).toBe(false);
    gate.resolve();
    await done;
    expect(finished).toEqual(['a']);
    expect(started).toEqual(['a']);
    widgets.add(w('c'));
    await settle(undefined, 3);
    expect(started).toEqual(['a']);
  });

  it('aborts ctx.signal of reconciles still running when the graceful-shutdown window expires', async () => {
    const h = fakeHost({ gracefulShutdownTimeoutMs: 3000 });
    let signal: AbortSignal | undefined;
    const ctl = controller(h.host)
      .for(Widget)
      .reconcile(async (_req, ctx) => {
        signal = ctx.signal;
        await new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => resolve()));
      });
    const widgets = h.cache.informerFor(Widget);
    widgets.add(w('a'));
    widgets.sync();
    const abort = new AbortController();
    const done = ctl.start(abort.signal);
    await settle(() => signal !== undefined);
    abort.abort();
    await h.clock.advance(2999);
    expect(signal?.aborted).toBe(false);
    await h.clock.advance(1);
    await done;
    expect(signal?.aborted).toBe(true);
    expect(h.clock.pendingTimers).toBe(0);
  });

  it('resyncs every primary key each resync period, bypassing predicates', async () => {
    const h = fakeHost();
    const seen: string[] = [];
    const ctl = controller(h.host)
      .for(Widget, { predicates: [predicate({ create: () => false })] })
      .withOptions({ resyncPeriodMs: 60_000 })
      .reconcile((req) => void seen.push(req.name));
    const widgets = h.cache.informerFor(Widget);
    widgets.add(w('a'));
    widgets.add(w('b'));
    widgets.sync();
    const abort = new AbortController();
    const done = ctl.start(abort.signal);
    await settle(undefined, 5);
    expect(seen).toEqual([]);
    await h.clock.advance(60_000);
    await settle(() => seen.length === 2);
    expect(seen.sort()).toEqual(['a', 'b']);
    await h.clock.advance(60_000);
    await settle(() => seen.length === 4);
    expect(seen).toHaveLength(4);
    abort.abort();
    await done;
  });

  it('rejects start with CacheSyncFailed naming the kind when an informer cannot sync', async () => {
    const h = fakeHost();
    const ctl = controller(h.host).for(Widget).reconcile(() => undefined);
    h.cache.informerFor(Widget).fail(new Error('the server could not find the requested resource'));
    const err = await ctl.start(new AbortController().signal).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ControllerError);
    expect((err as ControllerError).reason).toBe('CacheSyncFailed');
    expect((err as Error).message).toContain('Widget.v1.test.opkit.dev');
  });

  it('validates the builder', () => {
    const h = fakeHost();
    expect(() => controller(h.host).reconcile(() => undefined)).toThrow(/for\(Kind\)/);
    expect(() => controller(h.host).for(Widget).concurrency(0).reconcile(() => undefined)).toThrow(ControllerError);
    expect(() => controller(h.host).for(Widget).for(Widget)).toThrow(/only once/);
    const b = controller(h.host).for(Widget);
    const c = b.reconcile(() => undefined);
    expect(c.name).toBe('widget');
    expect(c.needLeaderElection).toBe(true);
    expect(h.runnables).toContain(c);
    expect(() => b.concurrency(2)).toThrow(/already built/);
  });

  it('reports active workers, max concurrency and per-result totals', async () => {
    const h = fakeHost();
    const ctl = controller(h.host).for(Widget).concurrency(3).reconcile(() => undefined);
    const widgets = h.cache.informerFor(Widget);
    widgets.add(w('a'));
    widgets.sync();
    const abort = new AbortController();
    const done = ctl.start(abort.signal);
    await settle(() => h.metrics.totals.length === 1);
    expect(h.metrics.max).toEqual([3]);
    expect(h.metrics.active).toEqual([0, 1, 0]);
    expect(h.metrics.totals).toEqual([{ controller: 'widget', result: 'success' }]);
    expect(h.metrics.times).toHaveLength(1);
    abort.abort();
    await done;
  });
});
