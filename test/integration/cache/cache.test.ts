import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigMap, Secret } from '../../../runtime/src/api/builtins.js';
import type { KubeObject, Resource } from '../../../runtime/src/api/resource.js';
import { createCache, type CacheOptions } from '../../../runtime/src/cache/cache.js';
import { MissingFieldIndexError } from '../../../runtime/src/cache/errors.js';
import { createClient, type Client } from '../../../runtime/src/client/client.js';
import { isNotFound } from '../../../runtime/src/client/errors.js';
import { createTransport, type Transport } from '../../../runtime/src/client/transport.js';
import { TestEnvironment } from '../../../runtime/src/testing/index.js';
import { KindNotServedError, WatchStalledError } from '../../../runtime/src/watch/errors.js';
import { watcher, type WatcherEvent } from '../../../runtime/src/watch/watcher.js';
import { TestTransport, createConfigMaps, createNamespace, eventually, modelHandler, sameState, serverState } from './support.js';

type Cm = KubeObject & { data?: Record<string, string> };

const env = new TestEnvironment();
let transport: Transport;
let client: Client;
let kubeconfigPath: string;

beforeAll(async () => {
  const started = await env.start();
  kubeconfigPath = started.kubeconfigPath;
  transport = createTransport(started.kubeConfig);
  client = createClient(transport);
});

afterAll(async () => {
  transport?.close();
  await env.stop();
});

/** Runs a cache over a recording transport until the returned `stop()`. */
function runCache(options: Partial<CacheOptions> = {}) {
  const t = new TestTransport(transport);
  const errors: unknown[] = [];
  const cache = createCache({ transport: t, onError: (e) => errors.push(e), ...options });
  const controller = new AbortController();
  let started: Promise<void> | undefined;
  return {
    t,
    cache,
    errors,
    start: () => {
      started = cache.start(controller.signal);
      started.catch(() => undefined);
      return started;
    },
    stop: async () => {
      controller.abort();
      await started;
    },
  };
}

describe('watcher against a real API server', () => {
  it('lists in several pages (limit/continue) with initialList pagedList, then watches from the list resourceVersion with bookmarks and resumes from the latest bookmark', async () => {
    await createNamespace(client, 'paging');
    await createConfigMaps(client, 'paging', 'cm', 120);
    const t = new TestTransport(transport);
    const controller = new AbortController();
    const events: WatcherEvent<KubeObject>[] = [];
    const run = (async () => {
      for await (const e of watcher(t, ConfigMap, { signal: controller.signal, scope: { namespace: 'paging' }, initialList: 'pagedList', pageSize: 50, watchTimeoutSeconds: 5 })) events.push(e);
    })();
    const path = '/api/v1/namespaces/paging/configmaps';
    await eventually('the first list', () => events.some((e) => e.type === 'initDone'));
    const pages = t.listRequests(path);
    expect(pages.map((r) => r.query?.limit)).toEqual([50, 50, 50]);
    expect(pages[0]?.query?.continue).toBeUndefined();
    expect(pages[1]?.query?.continue).toEqual(expect.any(String));
    expect(pages[2]?.query?.continue).toEqual(expect.any(String));
    const listed = events.flatMap((e) => (e.type === 'initPage' ? e.objects.map((o) => o.metadata?.name) : []));
    expect(new Set(listed).size).toBe(120);
    const listRv = events.flatMap((e) => (e.type === 'initDone' ? [e.resourceVersion] : []))[0] ?? '';
    await eventually('the watch', () => t.watchRequests(path).length === 1);
    expect(t.watchRequests(path)[0]?.query).toMatchObject({ watch: true, resourceVersion: listRv, allowWatchBookmarks: true, timeoutSeconds: 5 });

    // Move the global resourceVersion elsewhere and make the watch cache catch up with a consistent
    // list: the server then sends this (quiet) watch a bookmark with the newer resourceVersion.
    let lastPoke = 0;
    await eventually('a bookmark', async () => {
      if (events.some((e) => e.type === 'bookmark')) return true;
      if (Date.now() - lastPoke > 1000) {
        lastPoke = Date.now();
        await client.create(Secret, { metadata: { generateName: 'poke-', namespace: 'default' } });
        await client.list(ConfigMap, { namespace: 'paging', limit: 1 });
      }
      return false;
    });
    const bookmarks = (): Array<{ resourceVersion: string }> => events.filter((e): e is Extract<typeof e, { type: 'bookmark' }> => e.type === 'bookmark');
    expect(Number(bookmarks()[0]?.resourceVersion)).toBeGreaterThan(Number(listRv));
    // The server ends the watch after timeoutSeconds; the watcher resumes from the latest bookmark.
    const watchesSoFar = t.watchRequests(path).length;
    await eventually('the watch to be resumed', () => t.watchRequests(path).length > watchesSoFar, 20_000);
    expect(t.watchRequests(path)[watchesSoFar]?.query?.resourceVersion).toBe(bookmarks().at(-1)?.resourceVersion);
    await client.patch(ConfigMap, { namespace: 'paging', name: 'cm-7' }, { data: { changed: 'yes' } });
    await eventually('the update', () => events.some((e) => e.type === 'apply' && e.object.metadata?.name === 'cm-7'));
    expect(events.filter((e) => e.type === 'error')).toEqual([]);
    expect(t.listRequests(path)).toHaveLength(3);
    controller.abort();
    await run;
  });
});

describe('informer cache against a real API server', () => {
  it('shares one watch per (kind, namespace, labelSelector, fieldSelector) between all users', async () => {
    await createNamespace(client, 'shared');
    const { t, cache, start, stop } = runCache();
    const a = cache.informerFor(ConfigMap, { namespace: 'shared' });
    const b = cache.informerFor(ConfigMap, { namespace: 'shared' });
    const selected = cache.informerFor(ConfigMap, { namespace: 'shared', labelSelector: 'team=a' });
    const byName = cache.informerFor(ConfigMap, { namespace: 'shared', labelSelector: 'team=a', fieldSelector: 'metadata.name=x-1' });
    expect(b).toBe(a);
    expect(cache.informerFor(ConfigMap, { namespace: 'shared', labelSelector: 'team=a' })).toBe(selected);
    const h1 = modelHandler();
    const h2 = modelHandler();
    a.addEventHandler(h1);
    b.addEventHandler(h2);
    void start();
    expect(await cache.waitForCacheSync()).toBe(true);
    await createConfigMaps(client, 'shared', 'x', 4, (i) => ({ labels: { team: i % 2 ? 'a' : 'b' } }));
    await eventually('both handlers to see all objects', () => h1.model.size === 4 && h2.model.size === 4);
    await eventually('the selected informers', () => selected.store.size === 2 && byName.store.size === 1);
    const late = cache.informerFor(ConfigMap, { namespace: 'shared' });
    const h3 = modelHandler();
    late.addEventHandler(h3);
    expect(h3.model.size).toBe(4);
    const watches = t.watchRequests('/api/v1/namespaces/shared/configmaps').map((r) => `${r.query?.labelSelector ?? ''}|${r.query?.fieldSelector ?? ''}`);
    expect(watches.sort()).toEqual(['|', 'team=a|', 'team=a|metadata.name=x-1'].sort());
    await stop();
  });

  it('serves get and list from memory: label selectors, field indexes, namespaces; objects lose managedFields and are frozen', async () => {
    await createNamespace(client, 'reads');
    await createConfigMaps(client, 'reads', 'r', 6, (i) => ({ labels: { app: i < 3 ? 'web' : 'db', ...(i === 0 ? { canary: 'true' } : {}) }, data: { owner: `o${i % 2}` } }));
    const fromServer = await client.get(ConfigMap, { namespace: 'reads', name: 'r-0' });
    expect(fromServer.metadata?.managedFields?.length).toBeGreaterThan(0);
    const { cache, start, stop } = runCache();
    cache.indexField<Cm>(ConfigMap, 'data.owner', (o) => (o.data?.owner ? [o.data.owner] : []));
    void start();
    const names = (objects: KubeObject[]) => objects.map((o) => o.metadata?.name).sort();
    const r0 = await cache.get<Cm>(ConfigMap, { namespace: 'reads', name: 'r-0' });
    expect(r0.data).toEqual({ owner: 'o0' });
    expect(r0.metadata?.managedFields).toBeUndefined();
    expect(() => {
      (r0.data as Record<string, string>).owner = 'me';
    }).toThrow(TypeError);
    expect(isNotFound(await cache.get(ConfigMap, { namespace: 'reads', name: 'nope' }).catch((e: unknown) => e))).toBe(true);
    const ns = { namespace: 'reads' };
    expect(names(await cache.list(ConfigMap, { ...ns, labelSelector: { app: 'web' } }))).toEqual(['r-0', 'r-1', 'r-2']);
    expect(names(await cache.list(ConfigMap, { ...ns, labelSelector: 'app!=web' }))).toEqual(['r-3', 'r-4', 'r-5']);
    expect(names(await cache.list(ConfigMap, { ...ns, labelSelector: 'app in (web),canary notin (true)' }))).toEqual(['r-1', 'r-2']);
    expect(names(await cache.list(ConfigMap, { ...ns, labelSelector: 'canary' }))).toEqual(['r-0']);
    expect(names(await cache.list(ConfigMap, { ...ns, labelSelector: '!canary,app=db' }))).toEqual(['r-3', 'r-4', 'r-5']);
    expect(names(await cache.list(ConfigMap, { ...ns, fieldSelector: { 'data.owner': 'o1' } }))).toEqual(['r-1', 'r-3', 'r-5']);
    expect(names(await cache.list(ConfigMap, { fieldSelector: 'metadata.namespace=reads,data.owner=o0' }))).toEqual(['r-0', 'r-2', 'r-4']);
    const err = await cache.list(ConfigMap, { fieldSelector: 'spec.nodeName=n1' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MissingFieldIndexError);
    expect(String(err)).toContain('"spec.nodeName"');
    await stop();
  });

  it('fails waitForCacheSync and start with KindNotServedError naming group, version and kind when the CRD is not installed', async () => {
    const Widget: Resource = { group: 'example.com', version: 'v1', kind: 'Widget', plural: 'widgets', namespaced: true };
    const { cache, start } = runCache();
    cache.informerFor(ConfigMap);
    const widgets = cache.informerFor(Widget);
    const started = start();
    const err = await cache.waitForCacheSync().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KindNotServedError);
    expect(err).toMatchObject({ group: 'example.com', version: 'v1', kind: 'Widget', retryable: false });
    expect(String(err)).toMatch(/Widget.*example\.com\/v1.*not served/);
    await expect(started).rejects.toBeInstanceOf(KindNotServedError);
    await expect(widgets.waitForSync()).rejects.toBeInstanceOf(KindNotServedError);
  });

  it('re-delivers every cached object as onUpdate at the resync period', async () => {
    await createNamespace(client, 'resync');
    await createConfigMaps(client, 'resync', 's', 3);
    const { cache, start, stop } = runCache({ resyncPeriodMs: 300 });
    const resyncs: string[] = [];
    cache.informerFor(ConfigMap, { namespace: 'resync' }).addEventHandler({ onUpdate: (o, n) => (o === n ? resyncs.push(n.metadata?.name ?? '') : undefined) });
    void start();
    await eventually('two resync rounds', () => resyncs.length >= 6, 10_000);
    expect(new Set(resyncs)).toEqual(new Set(['s-0', 's-1', 's-2']));
    await stop();
  });

  it('detects a silent watch after stallTimeoutMs, reconnects, and delivers what was sent meanwhile', async () => {
    await createNamespace(client, 'stall');
    const { t, cache, errors, start, stop } = runCache({ watcher: { stallTimeoutMs: 1500, backoff: { initialMs: 100, maxMs: 500 } } });
    const informer = cache.informerFor(ConfigMap, { namespace: 'stall' });
    const h = modelHandler();
    informer.addEventHandler(h);
    t.silenceNextWatch();
    void start();
    await cache.waitForCacheSync();
    await createConfigMaps(client, 'stall', 'quiet', 3);
    await eventually('the stall to be detected', () => errors.some((e) => e instanceof WatchStalledError), 15_000);
    await eventually('the objects sent during the stall', () => h.model.size === 3, 15_000);
    expect(t.watchRequests('/api/v1/namespaces/stall/configmaps').length).toBeGreaterThanOrEqual(2);
    expect(t.listRequests('/api/v1/namespaces/stall/configmaps')).toHaveLength(1);
    await stop();
  });

  it('survives the API server being down for several backoff rounds, then delivers changes made before it reconnected: no missing, no phantom objects', async () => {
    await createNamespace(client, 'restart');
    await createConfigMaps(client, 'restart', 'k', 6);
    const { t, cache, errors, start, stop } = runCache({ watcher: { backoff: { initialMs: 100, maxMs: 400 } } });
    const informer = cache.informerFor(ConfigMap, { namespace: 'restart' });
    const h = modelHandler();
    informer.addEventHandler(h);
    const running = start();
    await cache.waitForCacheSync();
    expect(h.model.size).toBe(6);

    await env.stopApiServer();
    const before = errors.length;
    await eventually('several failed reconnects', () => errors.length >= before + 3, 20_000);
    // Hold the informer off while the server comes back, so the changes below happen before it reconnects.
    t.partition();
    await env.startApiServer();
    await client.delete(ConfigMap, { namespace: 'restart', name: 'k-0' });
    await client.delete(ConfigMap, { namespace: 'restart', name: 'k-1' });
    await client.patch(ConfigMap, { namespace: 'restart', name: 'k-2' }, { data: { v: 'changed' } });
    await client.create(ConfigMap, { metadata: { name: 'k-new', namespace: 'restart' } });
    const reconnectFrom = t.requests.length;
    t.heal();
    const truth = await serverState(client, 'restart');
    await eventually('the store and the handler to converge', () => sameState(h.model, truth) && informer.store.size === truth.size, 30_000);
    for (const o of informer.store.list()) expect(truth.get(`restart/${o.metadata?.name}`)).toBe(o.metadata?.resourceVersion);
    expect(h.deletes.sort()).toEqual(['restart/k-0', 'restart/k-1']);
    expect(t.requests.slice(reconnectFrom).length).toBeGreaterThan(0);
    expect(informer.running).toBe(true);
    let settled = false;
    void running.finally(() => (settled = true));
    expect(settled).toBe(false);
    await stop();
  });

  it('leaves no timer or socket behind: a process that aborts its cache exits on its own', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('./exit-child.ts', import.meta.url)), kubeconfigPath], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const code = await new Promise<number | null>((resolve) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        resolve(null);
      }, 30_000);
      child.on('exit', (c) => {
        clearTimeout(timer);
        resolve(c);
      });
    });
    expect(out).toContain('cache stopped');
    expect(code).toBe(0);
  });
});
