import { describe, expect, it, vi } from 'vitest';
import { ConfigMap } from '../../../runtime/src/api/builtins.js';
import type { KubeObject, Resource } from '../../../runtime/src/api/resource.js';
import { createCache, type CacheOptions } from '../../../runtime/src/cache/cache.js';
import { CacheNotStartedError, MissingFieldIndexError } from '../../../runtime/src/cache/errors.js';
import { stripManagedFields } from '../../../runtime/src/cache/transform.js';
import { isNotFound } from '../../../runtime/src/client/errors.js';
import { KindNotServedError } from '../../../runtime/src/watch/errors.js';
import { FakeApi, cm } from './fake-api.js';
import { FakeClock, flushMicrotasks, until } from './helpers.js';

type Cm = KubeObject & { data?: Record<string, string> };

function setup(options: Partial<CacheOptions> = {}) {
  const api = new FakeApi('/api/v1/configmaps');
  const clock = new FakeClock({ start: 0 });
  const controller = new AbortController();
  const cache = createCache({ transport: api, clock, watcher: { backoff: { random: () => 0.5 } }, ...options });
  let startError: unknown;
  let started: Promise<void> | undefined;
  const start = () => {
    started = cache.start(controller.signal).catch((err: unknown) => {
      startError = err;
    });
  };
  return { api, clock, controller, cache, start, stopped: () => started, startError: () => startError };
}

const names = (objects: KubeObject[]) => objects.map((o) => o.metadata?.name).sort();

describe('InformerCache', () => {
  it('shares one informer and one watch per (kind, namespace, selectors) between all callers', async () => {
    const { api, clock, cache, controller, start } = setup();
    const a = cache.informerFor(ConfigMap);
    const b = cache.informerFor(ConfigMap, {});
    const c = cache.informerFor(ConfigMap, { labelSelector: 'app=web' });
    const d = cache.informerFor(ConfigMap, { labelSelector: ' app=web ' });
    expect(b).toBe(a);
    expect(d).toBe(c);
    expect(c).not.toBe(a);
    a.addEventHandler({});
    b.addEventHandler({});
    start();
    expect(await cache.waitForCacheSync()).toBe(true);
    await until(clock, () => api.watchRequests.length === 2);
    await clock.advance(1000);
    expect(api.watchRequests).toHaveLength(2);
    expect(api.watchRequests.map((r) => r.query?.labelSelector).sort()).toEqual(['app=web', undefined]);
    controller.abort();
  });

  it('refuses reads before start', async () => {
    const { cache } = setup();
    await expect(cache.get(ConfigMap, { namespace: 'default', name: 'a' })).rejects.toBeInstanceOf(CacheNotStartedError);
    await expect(cache.list(ConfigMap)).rejects.toBeInstanceOf(CacheNotStartedError);
  });

  it('serves get from the informer and answers a NotFound ApiError for a missing object', async () => {
    const { api, cache, controller, start } = setup();
    api.upsert(cm('a', { data: { k: 'v' } }));
    start();
    const a = await cache.get<Cm>(ConfigMap, { namespace: 'default', name: 'a' });
    expect(a.data).toEqual({ k: 'v' });
    expect(a.metadata?.managedFields).toBeUndefined();
    const missing = await cache.get(ConfigMap, { namespace: 'default', name: 'zz' }).catch((e: unknown) => e);
    expect(isNotFound(missing)).toBe(true);
    expect(String(missing)).toContain('"zz" not found');
    controller.abort();
  });

  it('lists by namespace and by label selector (string or map) matched locally', async () => {
    const { api, cache, controller, start } = setup();
    api.upsert(cm('web1', { labels: { app: 'web', tier: 'front' } }));
    api.upsert(cm('web2', { namespace: 'other', labels: { app: 'web' } }));
    api.upsert(cm('db', { labels: { app: 'db' } }));
    api.upsert(cm('bare'));
    start();
    expect(names(await cache.list(ConfigMap))).toEqual(['bare', 'db', 'web1', 'web2']);
    expect(names(await cache.list(ConfigMap, { namespace: 'default' }))).toEqual(['bare', 'db', 'web1']);
    expect(names(await cache.list(ConfigMap, { labelSelector: { app: 'web' } }))).toEqual(['web1', 'web2']);
    expect(names(await cache.list(ConfigMap, { labelSelector: 'app!=web' }))).toEqual(['bare', 'db']);
    expect(names(await cache.list(ConfigMap, { labelSelector: 'app in (web,db),tier notin (front)' }))).toEqual(['db', 'web2']);
    expect(names(await cache.list(ConfigMap, { labelSelector: 'app' }))).toEqual(['db', 'web1', 'web2']);
    expect(names(await cache.list(ConfigMap, { labelSelector: '!app', namespace: 'default' }))).toEqual(['bare']);
    controller.abort();
  });

  it('answers field selectors from registered field indexes and names the field when there is none', async () => {
    const { api, cache, controller, start } = setup();
    api.upsert(cm('a', { data: { owner: 'x' } }));
    api.upsert(cm('b', { data: { owner: 'y' } }));
    api.upsert(cm('c', { namespace: 'other', data: { owner: 'x' } }));
    cache.indexField<Cm>(ConfigMap, 'data.owner', (o) => (o.data?.owner ? [o.data.owner] : []));
    start();
    expect(names(await cache.list(ConfigMap, { fieldSelector: { 'data.owner': 'x' } }))).toEqual(['a', 'c']);
    expect(names(await cache.list(ConfigMap, { fieldSelector: 'data.owner=x', namespace: 'default' }))).toEqual(['a']);
    expect(names(await cache.list(ConfigMap, { fieldSelector: 'data.owner!=x' }))).toEqual(['b']);
    expect(names(await cache.list(ConfigMap, { fieldSelector: 'metadata.name=b' }))).toEqual(['b']);
    expect(names(await cache.list(ConfigMap, { fieldSelector: 'metadata.namespace=other' }))).toEqual(['c']);
    const err = await cache.list(ConfigMap, { fieldSelector: 'spec.nodeName=n1' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MissingFieldIndexError);
    expect((err as MissingFieldIndexError).field).toBe('spec.nodeName');
    expect(String(err)).toContain('spec.nodeName');
    controller.abort();
  });

  it('starts informers requested after start, and waitForCacheSync waits for them', async () => {
    const { api, cache, controller, start } = setup();
    api.upsert(cm('a'));
    start();
    expect(await cache.waitForCacheSync()).toBe(true);
    const late = cache.informerFor(ConfigMap, { labelSelector: 'x=y' });
    expect(late.hasSynced()).toBe(false);
    expect(await cache.waitForCacheSync()).toBe(true);
    expect(late.hasSynced()).toBe(true);
    controller.abort();
  });

  it('waitForCacheSync resolves false when its signal aborts first', async () => {
    const { api, clock, cache, controller, start } = setup();
    api.listFaults.push(500, 500, 500);
    cache.informerFor(ConfigMap);
    start();
    const give = new AbortController();
    const waiting = cache.waitForCacheSync(give.signal);
    await clock.advance(100);
    give.abort();
    expect(await waiting).toBe(false);
    controller.abort();
  });

  it('fails waitForCacheSync and start with KindNotServedError when a kind is not served, and stops the other informers', async () => {
    const Widget: Resource = { group: 'example.com', version: 'v1', kind: 'Widget', plural: 'widgets', namespaced: true };
    const api = new FakeApi('/api/v1/configmaps');
    api.notServed.push('/apis/example.com');
    const clock = new FakeClock();
    const cache = createCache({ transport: api, clock });
    const configMaps = cache.informerFor(ConfigMap);
    cache.informerFor(Widget);
    const controller = new AbortController();
    const started = cache.start(controller.signal);
    const sync = cache.waitForCacheSync();
    await expect(sync).rejects.toBeInstanceOf(KindNotServedError);
    await expect(started).rejects.toThrow(/Widget.*example\.com\/v1/);
    expect(configMaps.running).toBe(false);
    expect(clock.pendingTimers).toBe(0);
  });

  it('uses the cache transform, per-informer overrides and resync period', async () => {
    const transform = vi.fn((o: KubeObject) => stripManagedFields({ ...o, metadata: { ...o.metadata, annotations: { seen: 'yes' } } }));
    const { api, clock, cache, controller, start } = setup({
      transform,
      resyncPeriodMs: 5_000,
      informerOptions: (_r, scope) => (scope.labelSelector === 'raw=1' ? { transform: (o) => o, resyncPeriodMs: 0 } : undefined),
    });
    api.upsert(cm('a'));
    const updates: string[] = [];
    cache.informerFor(ConfigMap).addEventHandler({ onUpdate: (_o, n) => updates.push(n.metadata?.name ?? '') });
    const raw = cache.informerFor(ConfigMap, { labelSelector: 'raw=1' });
    const rawUpdates: string[] = [];
    raw.addEventHandler({ onUpdate: (_o, n) => rawUpdates.push(n.metadata?.name ?? '') });
    start();
    await cache.waitForCacheSync();
    const a = await cache.get(ConfigMap, { namespace: 'default', name: 'a' });
    expect(a.metadata?.annotations).toEqual({ seen: 'yes' });
    expect(a.metadata?.managedFields).toBeUndefined();
    expect(raw.store.get('default/a')?.metadata?.managedFields).toHaveLength(1);
    await clock.advance(10_000);
    expect(updates).toEqual(['a', 'a']);
    expect(rawUpdates).toEqual([]);
    controller.abort();
    await flushMicrotasks();
  });

  it('start resolves after the signal aborts with nothing left pending', async () => {
    const { api, clock, cache, controller, start, stopped, startError } = setup({ resyncPeriodMs: 1000 });
    api.upsert(cm('a'));
    cache.informerFor(ConfigMap).addEventHandler({});
    start();
    await cache.waitForCacheSync();
    controller.abort();
    await stopped();
    expect(startError()).toBeUndefined();
    expect(clock.pendingTimers).toBe(0);
    expect(api.watches.size).toBe(0);
    await expect(cache.start(new AbortController().signal)).rejects.toMatchObject({ reason: 'CacheAlreadyStarted' });
  });
});

describe('InformerCache namespace option', () => {
  it('limits informers without a namespace of their own to the cache namespace', () => {
    const api = new FakeApi('/api/v1/configmaps');
    const cache = createCache({ transport: api, namespace: 'team-a' });
    expect(cache.informerFor(ConfigMap).scope).toEqual({ namespace: 'team-a' });
    expect(cache.informerFor(ConfigMap, { namespace: 'team-b' }).scope).toEqual({ namespace: 'team-b' });
    const Ns: Resource = { group: '', version: 'v1', kind: 'Namespace', plural: 'namespaces', namespaced: false };
    expect(cache.informerFor(Ns).scope).toEqual({});
  });
});

describe('InformerCache after stop', () => {
  it('answers reads of synced kinds from the last state, refuses kinds that never synced, and waitForCacheSync says false', async () => {
    const { api, cache, controller, start, stopped } = setup();
    api.upsert(cm('a'));
    cache.informerFor(ConfigMap);
    start();
    await cache.waitForCacheSync();
    controller.abort();
    await stopped();
    expect(names(await cache.list(ConfigMap))).toEqual(['a']);
    cache.informerFor(ConfigMap, { labelSelector: 'late=1' });
    expect(await cache.waitForCacheSync()).toBe(false);
    const Ns: Resource = { group: '', version: 'v1', kind: 'Namespace', plural: 'namespaces', namespaced: false };
    await expect(cache.list(Ns)).rejects.toMatchObject({ reason: 'InformerStopped' });
  });
});
