import { describe, expect, it } from 'vitest';
import type { KubeObject, Resource } from '../../../runtime/src/api/resource.js';
import { ConfigMap } from '../../../runtime/src/api/builtins.js';
import { exponentialBackoff } from '../../../runtime/src/watch/backoff.js';
import { ForbiddenError, KindNotServedError, ResourceExpiredError, WatchError, WatchStalledError } from '../../../runtime/src/watch/errors.js';
import { watcher, type WatcherEvent, type WatcherOptions } from '../../../runtime/src/watch/watcher.js';
import type { StreamSink, TransportRequest } from '../../../runtime/src/client/transport.js';
import { FakeApi, cm, withoutStreamTo } from './fake-api.js';
import { FakeClock, collect, flushMicrotasks, until } from './helpers.js';

const PATH = '/api/v1/configmaps';
type Ev = WatcherEvent<KubeObject>;

function setup(options: Partial<WatcherOptions> = {}, resource: Resource = ConfigMap) {
  const api = new FakeApi(PATH);
  const clock = new FakeClock({ start: 1_000_000 });
  const controller = new AbortController();
  const start = () =>
    collect(
      watcher(api, resource, {
        signal: controller.signal,
        clock,
        backoff: { random: () => 0.5 },
        ...options,
      }),
    );
  return { api, clock, controller, start };
}

/** The data and error events ('connected' notices are asserted on their own). */
const types = (events: Ev[]): string[] => events.map((e) => e.type).filter((t) => t !== 'connected');
const errors = (events: Ev[]) => events.filter((e): e is Extract<Ev, { type: 'error' }> => e.type === 'error');

describe('watcher', () => {
  it('lists in one unpaged consistent read by default, then watches from its resourceVersion', async () => {
    const { api, clock, controller, start } = setup();
    for (let i = 0; i < 5; i++) api.upsert(cm(`c${i}`));
    const run = start();
    await until(clock, () => api.watchRequests.length === 1);
    expect(api.listRequests.map((r) => r.query)).toEqual([{}]);
    expect(types(run.events)).toEqual(['init', 'initPage', 'initDone']);
    expect(run.events.find((e) => e.type === 'initPage')?.objects).toHaveLength(5);
    expect(api.watchRequests[0]?.query).toMatchObject({ watch: true, resourceVersion: '105', allowWatchBookmarks: true });
    expect(api.watchRequests[0]?.query?.sendInitialEvents).toBeUndefined();
    controller.abort();
    await run.done;
  });

  it('with initialList watchList, streams the state in pages of pageSize up to the initial-events-end bookmark and goes on watching on the same connection', async () => {
    const { api, clock, controller, start } = setup({ initialList: 'watchList', pageSize: 2, watchTimeoutSeconds: 42 });
    for (let i = 0; i < 5; i++) api.upsert(cm(`c${i}`));
    const run = start();
    await until(clock, () => run.events.some((e) => e.type === 'initDone'));
    expect(api.listRequests).toEqual([]);
    expect(api.watchRequests.map((r) => r.query)).toEqual([
      { watch: true, sendInitialEvents: true, resourceVersionMatch: 'NotOlderThan', allowWatchBookmarks: true, timeoutSeconds: 42 },
    ]);
    expect(types(run.events)).toEqual(['init', 'initPage', 'initPage', 'initPage', 'initDone']);
    const pages = run.events.filter((e) => e.type === 'initPage');
    expect(pages.map((p) => p.objects.map((o) => o.metadata?.name))).toEqual([['c0', 'c1'], ['c2', 'c3'], ['c4']]);
    expect(run.events.find((e) => e.type === 'initDone')).toEqual({ type: 'initDone', resourceVersion: '105' });
    api.upsert(cm('c5'));
    await until(clock, () => run.events.some((e) => e.type === 'apply'));
    expect(run.events.at(-1)).toMatchObject({ type: 'apply', object: { metadata: { name: 'c5', resourceVersion: '106' } } });
    expect(api.watchRequests).toHaveLength(1);
    api.endWatches();
    await until(clock, () => api.watchRequests.length === 2);
    expect(api.watchRequests[1]?.query).toMatchObject({ watch: true, resourceVersion: '106' });
    expect(api.watchRequests[1]?.query?.sendInitialEvents).toBeUndefined();
    expect(errors(run.events)).toEqual([]);
    controller.abort();
    await run.done;
  });

  it('with initialList watchList, restarts the state (next: list) when the stream fails before the initial-events-end bookmark', async () => {
    const { api, clock, controller, start } = setup({ initialList: 'watchList' });
    api.upsert(cm('a'));
    api.watchFaults.push({ kind: 'garbage' });
    const run = start();
    await until(clock, () => run.events.some((e) => e.type === 'initDone'));
    expect(errors(run.events).map((e) => [e.error.reason, e.next])).toEqual([['BadWatchEvent', 'list']]);
    expect(api.watchRequests.map((r) => r.query?.sendInitialEvents)).toEqual([true, true]);
    expect(api.listRequests).toEqual([]);
    controller.abort();
    await run.done;
  });

  it.each([
    ['refuses it (422: the WatchList feature gate is off)', 'refuse'],
    ['ends the stream without the initial-events-end bookmark (an old server)', 'no-bookmark'],
  ] as const)('with initialList watchList, falls back to a list for good when the server %s', async (_, behaviour) => {
    const { api, clock, controller, start } = setup({ initialList: 'watchList' });
    api.watchList = behaviour;
    api.upsert(cm('a'));
    const run = start();
    await until(clock, () => run.events.some((e) => e.type === 'initDone') && api.watchRequests.length === 2);
    expect(api.listRequests).toHaveLength(1);
    expect(api.watchRequests.map((r) => r.query?.sendInitialEvents)).toEqual([true, undefined]);
    expect(errors(run.events)).toEqual([]);
    const initDone = run.events.filter((e) => e.type === 'initDone');
    expect(initDone).toEqual([{ type: 'initDone', resourceVersion: '101' }]);
    // a later relist (410) lists again instead of retrying the stream
    api.silently(() => api.upsert(cm('b')));
    api.endWatches();
    await until(clock, () => api.listRequests.length === 2 && api.watchRequests.length === 4);
    expect(api.watchRequests.slice(2).map((r) => r.query?.sendInitialEvents)).toEqual([undefined, undefined]);
    controller.abort();
    await run.done;
  });

  it('lists in pages of pageSize with initialList pagedList, then watches from the list resourceVersion with bookmarks and the watch timeout', async () => {
    const { api, clock, controller, start } = setup({ initialList: 'pagedList', pageSize: 2, watchTimeoutSeconds: 42 });
    for (let i = 0; i < 5; i++) api.upsert(cm(`c${i}`));
    const run = start();
    await until(clock, () => api.watchRequests.length === 1);
    expect(api.listRequests.map((r) => [r.query?.limit, r.query?.continue])).toEqual([
      [2, undefined],
      [2, '2'],
      [2, '4'],
    ]);
    expect(types(run.events)).toEqual(['init', 'initPage', 'initPage', 'initPage', 'initDone']);
    const pages = run.events.filter((e) => e.type === 'initPage');
    expect(pages.flatMap((p) => p.objects.map((o) => o.metadata?.name))).toEqual(['c0', 'c1', 'c2', 'c3', 'c4']);
    expect(pages[0]?.objects[0]).toMatchObject({ apiVersion: 'v1', kind: 'ConfigMap' });
    expect(api.watchRequests[0]?.query).toMatchObject({ watch: true, resourceVersion: '105', allowWatchBookmarks: true, timeoutSeconds: 42 });
    controller.abort();
    await run.done;
  });

  it('yields apply and delete events and resumes after the server timeout from the latest bookmark, at once', async () => {
    const { api, clock, controller, start } = setup();
    const run = start();
    await until(clock, () => api.watchRequests.length === 1);
    api.upsert(cm('a'));
    api.upsert(cm('a', { data: { x: '1' } }));
    api.remove('default/a');
    api.bookmark();
    await until(clock, () => run.events.some((e) => e.type === 'bookmark'));
    expect(types(run.events).slice(3)).toEqual(['apply', 'apply', 'delete', 'bookmark']);
    expect(run.events.at(-1)).toEqual({ type: 'bookmark', resourceVersion: '104' });
    await clock.advance(5_000);
    api.endWatches();
    await flushMicrotasks();
    expect(api.watchRequests).toHaveLength(2);
    expect(api.watchRequests[1]?.query?.resourceVersion).toBe('104');
    expect(errors(run.events)).toEqual([]);
    expect(api.listRequests).toHaveLength(1);
    controller.abort();
    await run.done;
  });

  it('relists when the watch answers HTTP 410, and when it sends an ERROR event with code 410', async () => {
    const { api, clock, controller, start } = setup();
    api.upsert(cm('a'));
    api.watchFaults.push({ kind: 'error', status: 410 }, { kind: 'gone-event' });
    const run = start();
    await until(clock, () => api.listRequests.length === 3 && api.watchRequests.length === 3);
    const errs = errors(run.events);
    expect(errs).toHaveLength(2);
    for (const e of errs) {
      expect(e.error).toBeInstanceOf(ResourceExpiredError);
      expect(e.next).toBe('list');
    }
    expect(types(run.events).filter((t) => t === 'initDone')).toHaveLength(3);
    controller.abort();
    await run.done;
  });

  it('reconnects from the last resourceVersion after other errors with exponential backoff, and resets it after a healthy watch', async () => {
    const { api, clock, controller, start } = setup();
    api.watchFaults.push({ kind: 'error', status: 500 }, { kind: 'error', status: 503 }, { kind: 'garbage' });
    const run = start();
    await until(clock, () => api.watchRequests.length === 1);
    const t0 = clock.now();
    await until(clock, () => api.watchRequests.length === 4, { stepMs: 50 });
    expect(errors(run.events).map((e) => [e.error.reason, e.retryInMs, e.next])).toEqual([
      ['WatchFailed', 800, 'watch'],
      ['WatchFailed', 1600, 'watch'],
      ['BadWatchEvent', 3200, 'watch'],
    ]);
    expect(clock.now() - t0).toBeGreaterThanOrEqual(800 + 1600 + 3200);
    expect(new Set(api.watchRequests.map((r) => r.query?.resourceVersion))).toEqual(new Set(['100']));
    expect(api.listRequests).toHaveLength(1);
    api.upsert(cm('a'));
    await until(clock, () => run.events.some((e) => e.type === 'apply'));
    api.watchFaults.push({ kind: 'error', status: 500 });
    api.endWatches();
    await until(clock, () => errors(run.events).length === 4);
    expect(errors(run.events)[3]?.retryInMs).toBe(800);
    controller.abort();
    await run.done;
    expect(run.error).toBeUndefined();
  });

  it('treats a watch that the server closes at once, empty, as a failure (backoff) but a long quiet one as a normal timeout', async () => {
    const { api, clock, controller, start } = setup({ watchTimeoutSeconds: 300 });
    api.watchFaults.push({ kind: 'close' });
    const run = start();
    await until(clock, () => api.watchRequests.length === 2);
    expect(errors(run.events).map((e) => e.error.reason)).toEqual(['WatchClosedEarly']);
    await clock.advance(60_000);
    api.endWatches();
    await flushMicrotasks();
    expect(api.watchRequests).toHaveLength(3);
    expect(errors(run.events)).toHaveLength(1);
    controller.abort();
    await run.done;
  });

  it('drops a silent watch after stallTimeoutMs and reconnects; events and bookmarks keep it alive', async () => {
    const { api, clock, controller, start } = setup({ stallTimeoutMs: 5_000 });
    const run = start();
    await until(clock, () => api.watchRequests.length === 1);
    for (let i = 0; i < 4; i++) {
      await clock.advance(4_000);
      api.bookmark();
      await flushMicrotasks();
    }
    expect(errors(run.events)).toEqual([]);
    api.watchFaults.push({ kind: 'silent' });
    api.endWatches();
    await until(clock, () => api.watchRequests.length === 2);
    const silentSince = clock.now();
    await until(clock, () => errors(run.events).length === 1);
    expect(clock.now() - silentSince).toBeGreaterThanOrEqual(5_000);
    const [stall] = errors(run.events);
    expect(stall?.error).toBeInstanceOf(WatchStalledError);
    expect(stall?.error.retryable).toBe(true);
    await until(clock, () => api.watchRequests.length === 3);
    expect(api.watchRequests[2]?.query?.resourceVersion).toBe('104');
    controller.abort();
    await run.done;
  });

  it('retries failing lists with backoff and never throws', async () => {
    const { api, clock, controller, start } = setup();
    api.listFaults.push(500, 429, 503);
    const run = start();
    await until(clock, () => run.events.some((e) => e.type === 'initDone'), { stepMs: 100 });
    expect(errors(run.events).map((e) => [e.error.reason, e.retryInMs, e.next])).toEqual([
      ['ListFailed', 800, 'list'],
      ['ListFailed', 1600, 'list'],
      ['ListFailed', 3200, 'list'],
    ]);
    expect(errors(run.events)[0]?.error.cause).toBeInstanceOf(Error);
    controller.abort();
    await run.done;
    expect(run.error).toBeUndefined();
  });

  it('throws KindNotServedError naming group, version and kind when the first list answers 404', async () => {
    const Widget: Resource = { group: 'example.com', version: 'v1', kind: 'Widget', plural: 'widgets', namespaced: true };
    const { api, clock, start } = setup({}, Widget);
    api.served = false;
    const run = start();
    await until(clock, () => run.finished);
    expect(run.error).toBeInstanceOf(KindNotServedError);
    const err = run.error as KindNotServedError;
    expect(err).toMatchObject({ reason: 'KindNotServed', retryable: false, group: 'example.com', version: 'v1', kind: 'Widget', plural: 'widgets' });
    expect(err.message).toContain('Widget');
    expect(err.message).toContain('example.com/v1');
    expect(err.message).toContain('not served (discovery answered 404)');
  });

  it('throws ForbiddenError naming group, resource, verb and namespace when the first list answers 403, without retrying', async () => {
    const Widget: Resource = { group: 'example.com', version: 'v1', kind: 'Widget', plural: 'widgets', namespaced: true };
    const api = new FakeApi('/apis/example.com/v1/namespaces/shop/widgets');
    const clock = new FakeClock({ start: 1_000_000 });
    api.listFaults.push(403);
    const run = collect(watcher(api, Widget, { signal: new AbortController().signal, clock, scope: { namespace: 'shop' } }));
    await until(clock, () => run.finished);
    expect(run.error).toBeInstanceOf(ForbiddenError);
    expect(run.error).toMatchObject({ reason: 'Forbidden', retryable: false, group: 'example.com', resource: 'widgets', verb: 'list', namespace: 'shop' });
    expect((run.error as Error).message).toBe(
      'Widget.v1.example.com: forbidden to list widgets.example.com in namespace "shop": injected. Grant the operator\'s identity the rule {apiGroups: ["example.com"], resources: ["widgets"], verbs: ["get", "list", "watch"]} in a Role in namespace shop (or a ClusterRole) bound to it.',
    );
    expect(errors(run.events)).toEqual([]);
    expect(api.listRequests).toHaveLength(1);
  });

  it('throws ForbiddenError (verb watch, all namespaces, core group) when the first watch answers 403', async () => {
    const { api, clock, start } = setup();
    api.watchFaults.push({ kind: 'error', status: 403 });
    const run = start();
    await until(clock, () => run.finished);
    expect(run.events.some((e) => e.type === 'initDone')).toBe(true);
    expect(run.error).toMatchObject({ reason: 'Forbidden', group: '', resource: 'configmaps', verb: 'watch', namespace: undefined });
    expect((run.error as Error).message).toContain('at the cluster scope (all namespaces)');
    expect((run.error as Error).message).toContain('{apiGroups: [""], resources: ["configmaps"], verbs: ["get", "list", "watch"]} in a ClusterRole bound to it with a ClusterRoleBinding');
  });

  it('retries a 403 once a watch has delivered (a rule being rolled out), without throwing', async () => {
    const { api, clock, controller, start } = setup();
    const run = start();
    await until(clock, () => api.watchRequests.length === 1);
    api.upsert(cm('a', { namespace: 'default' }));
    await until(clock, () => run.events.some((e) => e.type === 'apply'));
    api.watchFaults.push({ kind: 'error', status: 403 });
    api.endWatches();
    await until(clock, () => errors(run.events).length > 0, { stepMs: 100 });
    expect(errors(run.events)[0]?.error).toMatchObject({ reason: 'WatchFailed', cause: { status: 403 } });
    expect(run.finished).toBe(false);
    controller.abort();
    await run.done;
    expect(run.error).toBeUndefined();
  });

  it('retries a 404 once the kind has been listed (a CRD removed later), without throwing', async () => {
    const { api, clock, controller, start } = setup();
    const run = start();
    await until(clock, () => api.watchRequests.length === 1);
    api.served = false;
    api.watchFaults.push({ kind: 'gone-event' });
    api.endWatches();
    await until(clock, () => errors(run.events).some((e) => e.error.reason === 'ListFailed'), { stepMs: 100 });
    const listFailure = errors(run.events).find((e) => e.error.reason === 'ListFailed');
    expect(listFailure?.error.cause).toMatchObject({ status: 404 });
    expect(listFailure?.next).toBe('list');
    expect(run.finished).toBe(false);
    controller.abort();
    await run.done;
    expect(run.error).toBeUndefined();
  });

  it('ends cleanly when the signal aborts, during a watch or a backoff, leaving no timer pending', async () => {
    const a = setup();
    const runA = a.start();
    await until(a.clock, () => a.api.watchRequests.length === 1);
    a.controller.abort();
    await runA.done;
    expect(runA.error).toBeUndefined();
    expect(a.clock.pendingTimers).toBe(0);
    expect(a.api.watches.size).toBe(0);

    const b = setup();
    b.api.listFaults.push(500);
    const runB = b.start();
    await until(b.clock, () => runB.events.some((e) => e.type === 'error'));
    expect(b.clock.pendingTimers).toBe(1);
    b.controller.abort();
    await runB.done;
    expect(runB.error).toBeUndefined();
    expect(b.clock.pendingTimers).toBe(0);
  });

  it('wraps every failure in a WatchError that names the kind and keeps the cause', async () => {
    const { api, clock, controller, start } = setup();
    api.watchFaults.push({ kind: 'error', status: 500 });
    const run = start();
    await until(clock, () => errors(run.events).length === 1);
    const [e] = errors(run.events);
    expect(e?.error).toBeInstanceOf(WatchError);
    expect(e?.error.gvk).toBe('ConfigMap.v1');
    expect(e?.error.message).toContain('ConfigMap.v1');
    expect(e?.error.cause).toMatchObject({ status: 500 });
    controller.abort();
    await run.done;
  });
});

describe('watcher with a misbehaving transport', () => {
  it('treats a stream() that throws synchronously as a failed watch and retries it', async () => {
    const { api, clock, controller } = setup();
    let calls = 0;
    const transport = {
      request: api.request.bind(api),
      close: () => undefined,
      stream: (req: Parameters<FakeApi['stream']>[0]) => {
        if (calls++ === 0) throw new Error('synchronous failure');
        return api.stream(req);
      },
    };
    const run = collect(watcher(transport, ConfigMap, { signal: controller.signal, clock, backoff: { random: () => 0.5 } }));
    await until(clock, () => api.watchRequests.length === 1);
    expect(errors(run.events).map((e) => e.error.reason)).toEqual(['WatchFailed']);
    expect(String(errors(run.events)[0]?.error.message)).toContain('synchronous failure');
    controller.abort();
    await run.done;
    expect(run.error).toBeUndefined();
  });
});

describe('watcher: how it reads the watch connection', () => {
  it('reads the same events through stream() when the transport has no streamTo, stall detection included', async () => {
    const api = new FakeApi(PATH);
    const clock = new FakeClock({ start: 1_000_000 });
    const controller = new AbortController();
    const run = collect(watcher(withoutStreamTo(api), ConfigMap, { signal: controller.signal, clock, stallTimeoutMs: 5_000, backoff: { random: () => 0.5 } }));
    await until(clock, () => api.watchRequests.length === 1);
    api.upsert(cm('a'));
    api.upsert(cm('a', { data: { x: '1' } }));
    api.remove('default/a');
    api.bookmark();
    await until(clock, () => run.events.some((e) => e.type === 'bookmark'));
    expect(run.events.map((e) => e.type)).toEqual(['init', 'initPage', 'initDone', 'connected', 'apply', 'apply', 'delete', 'bookmark']);
    api.watchFaults.push({ kind: 'silent' });
    api.endWatches();
    await until(clock, () => errors(run.events).length === 1);
    expect(errors(run.events)[0]?.error).toBeInstanceOf(WatchStalledError);
    await until(clock, () => api.watchRequests.length === 3);
    expect(api.watchRequests[2]?.query?.resourceVersion).toBe('104');
    controller.abort();
    await run.done;
    expect(run.error).toBeUndefined();
  });

  it('pauses the connection while the consumer of the generator is behind, without counting that as a stall', async () => {
    const api = new FakeApi(PATH);
    const clock = new FakeClock({ start: 1_000_000 });
    const controller = new AbortController();
    let handedOver = 0;
    const transport = {
      request: <T>(req: TransportRequest) => api.request<T>(req),
      stream: (req: TransportRequest) => api.stream(req),
      streamTo: (req: TransportRequest, sink: StreamSink) =>
        api.streamTo(req, {
          open: (flow) => sink.open?.(flow),
          data: (text) => {
            handedOver++;
            sink.data(text);
          },
        }),
      close: () => api.close(),
    };
    const events = watcher(transport, ConfigMap, { signal: controller.signal, clock, stallTimeoutMs: 5_000, backoff: { random: () => 0.5 } });
    const pulled: string[] = [];
    const pull = async (): Promise<Ev> => {
      const next = await events.next();
      if (next.done) throw new Error('the watcher ended');
      pulled.push(next.value.type === 'apply' ? `apply:${next.value.object.metadata?.name}` : next.value.type);
      return next.value;
    };
    while (!pulled.includes('connected')) await pull();
    for (const name of ['a', 'b', 'c']) api.upsert(cm(name));
    await flushMicrotasks();
    expect(await pull()).toMatchObject({ type: 'apply' });
    await flushMicrotasks();
    // the consumer has not asked for more: b and c wait in the connection
    expect(handedOver).toBe(1);
    await clock.advance(60_000);
    await pull();
    await pull();
    expect(pulled.slice(-3)).toEqual(['apply:a', 'apply:b', 'apply:c']);
    expect(handedOver).toBe(3);
    expect(api.watchRequests).toHaveLength(1);
    controller.abort();
    expect(await events.next()).toEqual({ done: true, value: undefined });
  });
});

describe('exponentialBackoff', () => {
  it('grows 800 ms → 30 s by ×2, and reset starts over', () => {
    const b = exponentialBackoff({ jitter: 0 });
    expect(Array.from({ length: 8 }, () => b.next())).toEqual([800, 1600, 3200, 6400, 12800, 25600, 30000, 30000]);
    b.reset();
    expect(b.next()).toBe(800);
  });

  it('keeps jittered delays within ±jitter and under maxMs', () => {
    const low = exponentialBackoff({ random: () => 0 });
    const high = exponentialBackoff({ random: () => 0.999999 });
    expect(low.next()).toBe(600);
    expect(high.next()).toBe(1000);
    for (let i = 0; i < 10; i++) expect(high.next()).toBeLessThanOrEqual(30_000);
  });
});
