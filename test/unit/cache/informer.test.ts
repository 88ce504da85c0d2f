import { describe, expect, it, vi } from 'vitest';
import { ConfigMap } from '../../../runtime/src/api/builtins.js';
import type { KubeObject, Resource } from '../../../runtime/src/api/resource.js';
import { InformerStoppedError } from '../../../runtime/src/cache/errors.js';
import { SharedInformer, type SharedInformerOptions } from '../../../runtime/src/cache/informer.js';
import type { EventHandler } from '../../../runtime/src/cache/types.js';
import { KindNotServedError } from '../../../runtime/src/watch/errors.js';
import type { StreamSink, Transport, TransportRequest } from '../../../runtime/src/client/transport.js';
import { FakeApi, cm } from './fake-api.js';
import { FakeClock, flushMicrotasks, until } from './helpers.js';

function setup(options: Partial<SharedInformerOptions<KubeObject>> = {}, resource: Resource = ConfigMap) {
  const api = new FakeApi('/api/v1/configmaps');
  const clock = new FakeClock({ start: 0 });
  const controller = new AbortController();
  const informer = new SharedInformer<KubeObject>({ transport: api, resource, clock, watcher: { backoff: { random: () => 0.5 } }, ...options });
  let runError: unknown;
  let ended = false;
  const start = () => {
    informer.run(controller.signal).then(
      () => (ended = true),
      (err: unknown) => {
        runError = err;
        ended = true;
      },
    );
  };
  return { api, clock, controller, informer, start, result: () => ({ ended, runError }) };
}

function recorder(): EventHandler<KubeObject> & { log: string[] } {
  const log: string[] = [];
  return {
    log,
    onAdd: (o) => log.push(`add:${o.metadata?.name}`),
    onUpdate: (a, b) => log.push(`update:${b.metadata?.name}:${a.metadata?.resourceVersion}->${b.metadata?.resourceVersion}`),
    onDelete: (o) => log.push(`delete:${o.metadata?.name}`),
  };
}

describe('SharedInformer', () => {
  it('syncs, then delivers adds, updates and deletes to every handler over one watch', async () => {
    const { api, clock, controller, informer, start } = setup();
    api.upsert(cm('a'));
    const h1 = recorder();
    const h2 = recorder();
    informer.addEventHandler(h1);
    informer.addEventHandler(h2);
    start();
    await informer.waitForSync();
    expect(informer.hasSynced()).toBe(true);
    api.upsert(cm('b'));
    api.upsert(cm('a', { data: { x: '1' } }));
    api.remove('default/b');
    await until(clock, () => h1.log.length === 4);
    expect(h1.log).toEqual(['add:a', 'add:b', 'update:a:101->103', 'delete:b']);
    expect(h2.log).toEqual(h1.log);
    expect(api.watchRequests).toHaveLength(1);
    expect(informer.resourceVersion).toBe('104');
    controller.abort();
    await flushMicrotasks();
  });

  it('replays the cached objects to a late handler as adds, then only newer changes; remove() stops delivery', async () => {
    const { api, clock, controller, informer, start } = setup();
    api.upsert(cm('a'));
    api.upsert(cm('b'));
    start();
    await informer.waitForSync();
    const late = recorder();
    const registration = informer.addEventHandler(late);
    expect(late.log.sort()).toEqual(['add:a', 'add:b']);
    api.upsert(cm('c'));
    await until(clock, () => late.log.length === 3);
    registration.remove();
    api.upsert(cm('d'));
    await until(clock, () => informer.store.size === 4);
    expect(late.log).toHaveLength(3);
    controller.abort();
  });

  it('does not deliver twice a change that a handler added mid-flight already got in its replay', async () => {
    const { api, clock, controller, informer, start } = setup();
    start();
    await informer.waitForSync();
    const late = recorder();
    const first = recorder();
    // Registers `late` from inside the dispatch of the change that added `x`.
    informer.addEventHandler({ onAdd: (o) => (o.metadata?.name === 'x' ? informer.addEventHandler(late) : undefined) });
    informer.addEventHandler(first);
    api.upsert(cm('x'));
    await until(clock, () => first.log.length === 1);
    expect(late.log).toEqual(['add:x']);
    controller.abort();
  });

  it('delivers deletes for objects that vanished while disconnected when a 410 forces a relist', async () => {
    const { api, clock, controller, informer, start } = setup();
    api.upsert(cm('keep'));
    api.upsert(cm('gone'));
    api.upsert(cm('changed'));
    const h = recorder();
    informer.addEventHandler(h);
    start();
    await informer.waitForSync();
    api.silently(() => {
      api.remove('default/gone');
      api.upsert(cm('changed', { data: { v: '2' } }));
      api.upsert(cm('new'));
    });
    api.endWatches();
    await until(clock, () => h.log.length === 6);
    expect(h.log.slice(3)).toEqual(['delete:gone', 'update:changed:103->105', 'add:new']);
    expect(informer.store.keys().sort()).toEqual(['default/changed', 'default/keep', 'default/new']);
    expect(api.listRequests).toHaveLength(2);
    controller.abort();
  });

  it('re-delivers every object as onUpdate(o, o) each resync period, per handler, and not at all by default', async () => {
    const { api, clock, controller, informer, start } = setup({ resyncPeriodMs: 10_000 });
    api.upsert(cm('a'));
    api.upsert(cm('b'));
    const h = recorder();
    const off = recorder();
    informer.addEventHandler(h);
    informer.addEventHandler(off, { resyncPeriodMs: 0 });
    start();
    await informer.waitForSync();
    await clock.advance(9_999);
    expect(h.log).toHaveLength(2);
    await clock.advance(1);
    expect(h.log.slice(2).sort()).toEqual(['update:a:101->101', 'update:b:102->102']);
    await clock.advance(10_000);
    expect(h.log).toHaveLength(6);
    expect(off.log).toHaveLength(2);
    controller.abort();
    await flushMicrotasks();
    expect(clock.pendingTimers).toBe(0);

    const plain = setup();
    const p = recorder();
    plain.informer.addEventHandler(p);
    plain.api.upsert(cm('a'));
    plain.start();
    await plain.informer.waitForSync();
    await plain.clock.advance(3_600_000);
    expect(p.log).toEqual(['add:a']);
    plain.controller.abort();
  });

  it('reports a throwing handler to onError and keeps delivering to the others', async () => {
    const onError = vi.fn();
    const { api, clock, controller, informer, start } = setup({ onError });
    informer.addEventHandler({
      onAdd: () => {
        throw new Error('handler bug');
      },
    });
    const good = recorder();
    informer.addEventHandler(good);
    start();
    await informer.waitForSync();
    api.upsert(cm('a'));
    await until(clock, () => good.log.length === 1);
    expect(onError).toHaveBeenCalledWith(expect.objectContaining({ message: 'handler bug' }));
    controller.abort();
  });

  it('reports retried watch errors to onError', async () => {
    const onError = vi.fn();
    const { api, clock, controller, informer, start } = setup({ onError });
    api.watchFaults.push({ kind: 'error', status: 500 });
    start();
    await informer.waitForSync();
    await until(clock, () => onError.mock.calls.length === 1);
    expect(onError.mock.calls[0]?.[0]).toMatchObject({ reason: 'WatchFailed' });
    controller.abort();
  });

  it('rejects waitForSync with KindNotServedError when the kind is not served, and run rejects too', async () => {
    const Widget: Resource = { group: 'example.com', version: 'v1', kind: 'Widget', plural: 'widgets', namespaced: true };
    const { api, informer, start, result } = setup({}, Widget);
    api.served = false;
    const waiting = informer.waitForSync();
    start();
    await expect(waiting).rejects.toBeInstanceOf(KindNotServedError);
    await flushMicrotasks();
    expect(result().runError).toBeInstanceOf(KindNotServedError);
    await expect(informer.waitForSync()).rejects.toBeInstanceOf(KindNotServedError);
  });

  it('rejects waitForSync with the signal reason on abort, and with InformerStoppedError when stopped before syncing', async () => {
    const { api, clock, controller, informer, start, result } = setup();
    const own = new AbortController();
    const waiting = informer.waitForSync(own.signal);
    own.abort(new Error('caller gave up'));
    await expect(waiting).rejects.toThrow('caller gave up');
    api.listFaults.push(500);
    const pending = informer.waitForSync();
    start();
    await until(clock, () => api.listRequests.length === 1);
    controller.abort();
    await expect(pending).rejects.toBeInstanceOf(InformerStoppedError);
    await flushMicrotasks();
    expect(result()).toEqual({ ended: true, runError: undefined });
    expect(clock.pendingTimers).toBe(0);
  });

  it('runs a watch event from the data callback through the store to the handlers before the callback returns', async () => {
    const clock = new FakeClock({ start: 0 });
    let sink: StreamSink | undefined;
    const transport: Transport = {
      request: <T>() => Promise.resolve({ items: [], metadata: { resourceVersion: '5' } } as T),
      stream: () => {
        throw new Error('streamTo is used');
      },
      streamTo: (req: TransportRequest, s: StreamSink) =>
        new Promise<void>((resolve) => {
          sink = s;
          s.open?.({ pause: () => undefined, resume: () => undefined });
          req.signal?.addEventListener('abort', () => resolve(), { once: true });
        }),
      close: () => undefined,
    };
    const informer = new SharedInformer<KubeObject>({ transport, resource: ConfigMap, clock });
    const h = recorder();
    informer.addEventHandler(h);
    const controller = new AbortController();
    const running = informer.run(controller.signal);
    await informer.waitForSync();
    await until(clock, () => sink !== undefined);
    const line = (type: string, name: string, rv: string): string =>
      JSON.stringify({ type, object: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default', resourceVersion: rv, managedFields: [{ manager: 'x' }] } } });
    const second = line('MODIFIED', 'a', '7');
    // one chunk with a whole line and the start of the next; the rest comes in the next chunk
    sink?.data(`${line('ADDED', 'a', '6')}\n${second.slice(0, 20)}`);
    expect(h.log).toEqual(['add:a']);
    const cached = informer.store.get('default/a');
    expect(cached?.metadata?.resourceVersion).toBe('6');
    expect(cached?.metadata?.managedFields).toBeUndefined();
    expect(Object.isFrozen(cached?.metadata)).toBe(true);
    sink?.data(`${second.slice(20)}\n`);
    expect(h.log).toEqual(['add:a', 'update:a:6->7']);
    expect(informer.resourceVersion).toBe('7');
    controller.abort();
    await running;
  });
});
