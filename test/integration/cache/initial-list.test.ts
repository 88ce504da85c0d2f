import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigMap } from '../../../runtime/src/api/builtins.js';
import { createCache } from '../../../runtime/src/cache/cache.js';
import { createClient, type Client } from '../../../runtime/src/client/client.js';
import { createTransport, type Transport } from '../../../runtime/src/client/transport.js';
import { TestEnvironment } from '../../../runtime/src/testing/index.js';
import type { InitialListMode } from '../../../runtime/src/watch/watcher.js';
import { TestTransport, createConfigMaps, createNamespace, eventually } from './support.js';

const COUNT = 230;

interface Plane {
  readonly env: TestEnvironment;
  transport?: Transport;
  client?: Client;
}

function plane(apiServerFlags: string[] = []): Plane {
  const p: Plane = { env: new TestEnvironment({ apiServerFlags }) };
  beforeAll(async () => {
    const { kubeConfig } = await p.env.start();
    p.transport = createTransport(kubeConfig);
    p.client = createClient(p.transport);
  });
  afterAll(async () => {
    p.transport?.close();
    await p.env.stop();
  });
  return p;
}

/** Syncs a cache of `namespace`'s ConfigMaps with `initialList`, checks it holds all of them and then sees a new one. */
async function syncAndWatch(p: Plane, namespace: string, initialList: InitialListMode) {
  const client = p.client as Client;
  const t = new TestTransport(p.transport as Transport);
  const errors: unknown[] = [];
  const cache = createCache({ transport: t, watcher: { initialList, pageSize: 100 }, onError: (e) => errors.push(e) });
  const informer = cache.informerFor(ConfigMap, { namespace });
  const controller = new AbortController();
  const running = cache.start(controller.signal);
  try {
    expect(await cache.waitForCacheSync()).toBe(true);
    // kube-root-ca.crt is created by the server in every namespace
    expect(informer.store.size).toBeGreaterThanOrEqual(COUNT);
    for (let i = 0; i < COUNT; i++) expect(informer.store.get(`${namespace}/cm-${i}`)?.data).toEqual({ i: String(i) });
    await client.create(ConfigMap, { metadata: { name: 'after-sync', namespace } });
    await eventually('the watch event after the sync', () => informer.store.get(`${namespace}/after-sync`) !== undefined);
    return { t, errors, path: `/api/v1/namespaces/${namespace}/configmaps` };
  } finally {
    controller.abort();
    await running;
  }
}

describe('initial list modes against a real API server (WatchList enabled, the default of v1.37)', () => {
  const p = plane();

  it('list: one unpaged consistent list, then a watch from its resourceVersion', async () => {
    await createNamespace(p.client as Client, 'init-list');
    await createConfigMaps(p.client as Client, 'init-list', 'cm', COUNT);
    const { t, errors, path } = await syncAndWatch(p, 'init-list', 'list');
    expect(t.listRequests(path).map((r) => r.query)).toEqual([{}]);
    expect(t.watchRequests(path)[0]?.query?.sendInitialEvents).toBeUndefined();
    expect(errors).toEqual([]);
  });

  it('watchList: the state streams over the watch (no list request) and the same connection delivers later events', async () => {
    await createNamespace(p.client as Client, 'init-stream');
    await createConfigMaps(p.client as Client, 'init-stream', 'cm', COUNT);
    const { t, errors, path } = await syncAndWatch(p, 'init-stream', 'watchList');
    expect(t.listRequests(path)).toEqual([]);
    expect(t.watchRequests(path)).toHaveLength(1);
    expect(t.watchRequests(path)[0]?.query).toMatchObject({ sendInitialEvents: true, resourceVersionMatch: 'NotOlderThan', allowWatchBookmarks: true });
    expect(errors).toEqual([]);
  });

  it('pagedList: pages of pageSize', async () => {
    await createNamespace(p.client as Client, 'init-paged');
    await createConfigMaps(p.client as Client, 'init-paged', 'cm', COUNT);
    const { t, errors, path } = await syncAndWatch(p, 'init-paged', 'pagedList');
    expect(t.listRequests(path).map((r) => r.query?.limit)).toEqual([100, 100, 100]);
    expect(errors).toEqual([]);
  });
});

describe('initial list modes against a real API server with the WatchList feature gate off', () => {
  const p = plane(['--feature-gates=WatchList=false']);

  it('watchList falls back to a list when the server refuses the stream, and keeps watching', async () => {
    await createNamespace(p.client as Client, 'init-fallback');
    await createConfigMaps(p.client as Client, 'init-fallback', 'cm', COUNT);
    const { t, errors, path } = await syncAndWatch(p, 'init-fallback', 'watchList');
    const watches = t.watchRequests(path);
    expect(watches[0]?.query?.sendInitialEvents).toBe(true);
    expect(watches.slice(1).map((r) => r.query?.sendInitialEvents)).toEqual(watches.slice(1).map(() => undefined));
    expect(t.listRequests(path).map((r) => r.query)).toEqual([{}]);
    expect(errors).toEqual([]);
  });
});
