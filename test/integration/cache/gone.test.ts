import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigMap } from '../../../runtime/src/api/builtins.js';
import { createCache } from '../../../runtime/src/cache/cache.js';
import { createClient, type Client } from '../../../runtime/src/client/client.js';
import { ApiError } from '../../../runtime/src/client/errors.js';
import { createTransport, type Transport } from '../../../runtime/src/client/transport.js';
import { TestEnvironment } from '../../../runtime/src/testing/index.js';
import { ResourceExpiredError } from '../../../runtime/src/watch/errors.js';
import { TestTransport, createConfigMaps, createNamespace, eventually, modelHandler, sameState, serverState } from './support.js';

/*
 * Without the watch cache, watches are served by etcd, and with a 2 s compaction interval a
 * resourceVersion older than a few seconds is compacted: resuming from it answers a real 410.
 */
const env = new TestEnvironment({ apiServerFlags: ['--watch-cache=false', '--etcd-compaction-interval=2s'] });
let transport: Transport;
let client: Client;

beforeAll(async () => {
  const { kubeConfig } = await env.start();
  transport = createTransport(kubeConfig);
  client = createClient(transport);
});

afterAll(async () => {
  transport?.close();
  await env.stop();
});

/** Whether a watch from `resourceVersion` is answered with 410 Gone (in-stream or on open). */
async function isCompacted(path: string, resourceVersion: string): Promise<boolean> {
  const controller = new AbortController();
  try {
    for await (const line of transport.stream({ method: 'GET', path, query: { watch: true, resourceVersion, timeoutSeconds: 1 }, signal: controller.signal })) {
      const event = JSON.parse(line) as { type: string; object: { code?: number } };
      return event.type === 'ERROR' && event.object.code === 410;
    }
    return false;
  } catch (err) {
    return err instanceof ApiError && err.status === 410;
  } finally {
    controller.abort();
  }
}

describe('informer after 410 Gone', () => {
  it('relists when its resourceVersion expired while disconnected: deletes are seen as onDelete, no object lost, no phantom', async () => {
    await createNamespace(client, 'gone');
    await createConfigMaps(client, 'gone', 'g', 5);
    const t = new TestTransport(transport);
    const errors: unknown[] = [];
    const cache = createCache({ transport: t, onError: (e) => errors.push(e), watcher: { backoff: { initialMs: 100, maxMs: 400 } } });
    const informer = cache.informerFor(ConfigMap, { namespace: 'gone' });
    const h = modelHandler();
    informer.addEventHandler(h);
    const controller = new AbortController();
    const started = cache.start(controller.signal);
    await cache.waitForCacheSync();
    expect(h.model.size).toBe(5);
    const path = '/api/v1/namespaces/gone/configmaps';
    const lastSeen = informer.resourceVersion;

    t.partition();
    await client.delete(ConfigMap, { namespace: 'gone', name: 'g-0' });
    await client.delete(ConfigMap, { namespace: 'gone', name: 'g-1' });
    await client.patch(ConfigMap, { namespace: 'gone', name: 'g-2' }, { data: { v: 'changed' } });
    await client.create(ConfigMap, { metadata: { name: 'g-new', namespace: 'gone' } });
    await eventually('the informer resourceVersion to be compacted', () => isCompacted(path, lastSeen), 30_000);
    const listsBefore = t.listRequests(path).length;
    t.heal();

    const truth = await serverState(client, 'gone');
    await eventually('the store and the handler to converge', () => sameState(h.model, truth) && informer.store.size === truth.size, 30_000);
    expect(errors.some((e) => e instanceof ResourceExpiredError)).toBe(true);
    expect(t.listRequests(path).length).toBeGreaterThan(listsBefore);
    expect(h.deletes.sort()).toEqual(['gone/g-0', 'gone/g-1']);
    expect(h.adds).toContain('gone/g-new');
    expect(new Set(informer.store.keys())).toEqual(new Set([...truth.keys()]));
    controller.abort();
    await started;
  });
});
