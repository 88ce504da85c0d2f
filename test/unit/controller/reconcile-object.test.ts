import { describe, expect, it } from 'vitest';
import type { Client, Reader } from '../../../runtime/src/client/client.js';
import { ApiError } from '../../../runtime/src/client/errors.js';
import { controller } from '../../../runtime/src/controller/builder.js';
import { ControllerError } from '../../../runtime/src/controller/errors.js';
import type { ReconcileContext } from '../../../runtime/src/controller/reconciler.js';
import { fakeHost, settle } from '../../support/controller-host.js';
import type { FakeCache } from '../../support/fake-cache.js';
import { Widget } from '../../support/widget.js';

const w = (name: string, extra: Partial<NonNullable<Widget['metadata']>> = {}): Widget => ({
  apiVersion: 'test.opkit.dev/v1',
  kind: 'Widget',
  metadata: { namespace: 'ns', name, uid: `uid-${name}`, generation: 1, resourceVersion: '1', ...extra },
  spec: { size: 1 },
});

/** A client whose reads are the fake cache's (as private copies, like the manager's) and that fails on `fail` names. */
function cacheClient(cache: FakeCache, fail: ReadonlySet<string> = new Set()): Client {
  return {
    get: async (resource, key) => {
      if (fail.has(key.name)) throw new ApiError({ status: 500, method: 'GET', path: `/widgets/${key.name}`, body: { message: 'etcd is down' } });
      return structuredClone(await cache.get(resource, key));
    },
  } as Client;
}

async function start(fail: ReadonlySet<string> = new Set()) {
  const apiReader = { get: async () => w('from-api') } as unknown as Reader;
  const h = fakeHost();
  const client = cacheClient(h.cache, fail);
  const seen: Array<{ object: Widget; ctx: ReconcileContext }> = [];
  const ctl = controller({ ...h.host, client, apiReader })
    .for(Widget)
    .withOptions({ rateLimit: { baseDelayMs: 5, maxDelayMs: 5, qps: Infinity } })
    .reconcileObject(async (object, ctx) => {
      seen.push({ object, ctx });
      object.spec = { size: 2 }; // a private copy: changing it is allowed
      ctx.recorder.event('Normal', 'Reconciled', 'Reconcile', `size ${object.spec.size}`);
    });
  const informer = h.cache.informerFor(Widget);
  const abort = new AbortController();
  const stop = async () => {
    abort.abort();
    await h.clock.advance(2000);
    await done;
  };
  let done: Promise<void> = Promise.resolve();
  return {
    ...h,
    seen,
    informer,
    stop,
    run: () => {
      informer.sync();
      done = ctl.start(abort.signal);
    },
  };
}

describe('reconcileObject (the object instead of the key)', () => {
  it('hands the reconciler the object read through ctx.client, with apiReader, request and a recorder about that object', async () => {
    const r = await start();
    r.informer.add(w('a'));
    r.run();
    await settle(() => r.seen.length > 0);
    const [first] = r.seen;
    expect(first?.object.metadata?.name).toBe('a');
    expect(first?.ctx.request).toEqual({ namespace: 'ns', name: 'a' });
    expect(await first?.ctx.apiReader.get(Widget, { name: 'x' })).toMatchObject({ metadata: { name: 'from-api' } });
    expect(r.events).toEqual([
      {
        controller: 'widget',
        regarding: { apiVersion: 'test.opkit.dev/v1', kind: 'Widget', metadata: expect.objectContaining({ namespace: 'ns', name: 'a', uid: 'uid-a' }) },
        type: 'Normal',
        reason: 'Reconciled',
        action: 'Reconcile',
        note: 'size 2',
      },
    ]);
    // The cached object was not touched by the reconciler's change.
    expect(r.informer.objects.get('ns/a')?.spec).toEqual({ size: 1 });
    await r.stop();
  });

  it('skips a key whose object is gone, logging it at debug, and counts a success', async () => {
    const r = await start();
    r.run();
    r.informer.add(w('gone'));
    r.informer.remove(w('gone'));
    await settle(() => r.metrics.totals.length > 0);
    expect(r.seen).toEqual([]);
    expect(r.metrics.totals).toEqual([{ controller: 'widget', result: 'success' }]);
    expect(r.lines.some((l) => l['msg'] === 'Object not found; nothing to reconcile' && l['name'] === 'gone')).toBe(true);
    await r.stop();
  });

  it('hands over an object that is being deleted (finalizers pending), so a finalizer can clean up', async () => {
    const r = await start();
    r.informer.add(w('deleting', { deletionTimestamp: new Date(0), finalizers: ['x.opkit.dev/cleanup'] }));
    r.run();
    await settle(() => r.seen.length > 0);
    expect(r.seen[0]?.object.metadata?.finalizers).toEqual(['x.opkit.dev/cleanup']);
    await r.stop();
  });

  it('retries with backoff when the read fails for another reason than NotFound', async () => {
    const r = await start(new Set(['flaky']));
    r.informer.add(w('flaky'));
    r.run();
    await settle(() => r.metrics.errors > 0);
    await r.clock.advance(5);
    await settle(() => r.metrics.errors > 1);
    expect(r.seen).toEqual([]);
    expect(r.metrics.errors).toBeGreaterThanOrEqual(2);
    expect(r.lines.find((l) => l['msg'] === 'Reconciler error')?.['err']).toMatchObject({ message: expect.stringContaining('etcd is down') });
    await r.stop();
  });

  it('records about the key when the cache no longer has the object', async () => {
    const h = fakeHost();
    let ctxOf: ReconcileContext | undefined;
    const ctl = controller(h.host)
      .for(Widget)
      .reconcile((_req, ctx) => {
        ctxOf = ctx;
      });
    const informer = h.cache.informerFor(Widget);
    informer.add(w('b'));
    informer.sync();
    const abort = new AbortController();
    const done = ctl.start(abort.signal);
    await settle(() => ctxOf !== undefined);
    informer.remove(w('b'));
    ctxOf?.recorder.event('Warning', 'CleanupFailed', 'Delete', 'bucket is not empty');
    expect(h.events[0]?.regarding).toEqual({ apiVersion: 'test.opkit.dev/v1', kind: 'Widget', metadata: { namespace: 'ns', name: 'b' } });
    abort.abort();
    await h.clock.advance(2000);
    await done;
  });

  it('needs a primary kind', () => {
    expect(() => controller(fakeHost().host).reconcileObject(() => undefined)).toThrow(ControllerError);
    expect(() => controller(fakeHost().host).reconcileObject(() => undefined)).toThrow('call for(Kind) before reconcileObject()');
  });
});
