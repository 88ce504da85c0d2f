/**
 * Cache memory: heap bytes per cached object for N ConfigMaps of ~1 KB each (default 10,000),
 * created in a real control plane (TestEnvironment), then cached by:
 *
 * - `opkit`: `createCache(...).informerFor(ConfigMap, { namespace })` with the defaults
 *   (managedFields dropped, objects deep-frozen, namespace index);
 * - `opkit-keep-managed`: the same with an identity transform (everything the server sent kept),
 *   the like-for-like comparison with client-node;
 * - `client-node`: @kubernetes/client-node 1.4 `makeInformer` (ListWatch + ObjectCache) over
 *   `CoreV1Api.listNamespacedConfigMap`.
 *
 * Each measurement: gc, heapUsed before; start the informer and wait until all N objects are
 * cached; gc, heapUsed after; (after − before) / N. Then stop, drop every reference, gc. Each
 * implementation is measured `ROUNDS` times in alternation and the median is reported.
 *
 * Run: `node --expose-gc --import tsx bench/cache-memory.bench.ts [count] [rounds]`. Prints a table
 * and writes JSON to bench/results/cache-memory.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CoreV1Api, makeInformer, type KubeConfig, type V1ConfigMap } from '@kubernetes/client-node';
import { ConfigMap, Namespace } from '../runtime/src/api/builtins.js';
import type { KubeObject } from '../runtime/src/api/resource.js';
import { createCache } from '../runtime/src/cache/cache.js';
import { createClient, type Client } from '../runtime/src/client/client.js';
import { createTransport } from '../runtime/src/client/transport.js';
import { TestEnvironment } from '../runtime/src/testing/index.js';

const COUNT = Number(process.argv[2] ?? 10_000);
const ROUNDS = Number(process.argv[3] ?? 3);
const NAMESPACE = 'bench-memory';
const IMPLS = ['opkit', 'opkit-keep-managed', 'client-node'] as const;
type Impl = (typeof IMPLS)[number];

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc --import tsx bench/cache-memory.bench.ts');

async function settledHeap(): Promise<number> {
  for (let i = 0; i < 4; i++) {
    gc?.();
    await new Promise((r) => setImmediate(r));
  }
  return process.memoryUsage().heapUsed;
}

/** A printable payload that differs per object, so nothing is shared between objects. */
function payload(i: number, length: number): string {
  let s = '';
  let x = (i + 1) * 2654435761;
  while (s.length < length) {
    x = (x * 1103515245 + 12345) >>> 0;
    s += x.toString(36);
  }
  return s.slice(0, length);
}

async function seed(client: Client): Promise<number> {
  await client.create(Namespace, { metadata: { name: NAMESPACE } });
  let next = 0;
  await Promise.all(
    Array.from({ length: 32 }, async () => {
      while (next < COUNT) {
        const i = next++;
        await client.create(ConfigMap, {
          metadata: { name: `cm-${i}`, namespace: NAMESPACE, labels: { app: 'bench', shard: String(i % 16) } },
          data: { 'config.yaml': `id: ${i}\nname: cm-${i}\nblob: ${payload(i, 700)}\n`, 'extra.txt': payload(i + COUNT, 100) },
        });
      }
    }),
  );
  const one = await client.get(ConfigMap, { namespace: NAMESPACE, name: 'cm-0' });
  return Buffer.byteLength(JSON.stringify(one));
}

/** Starts one implementation, waits until COUNT objects are cached; returns what keeps it alive and a stop. */
async function startImpl(impl: Impl, kubeConfig: KubeConfig): Promise<{ size: () => number; stop: () => Promise<void> }> {
  if (impl === 'client-node') {
    const core = kubeConfig.makeApiClient(CoreV1Api);
    const informer = makeInformer<V1ConfigMap>(kubeConfig, `/api/v1/namespaces/${NAMESPACE}/configmaps`, () => core.listNamespacedConfigMap({ namespace: NAMESPACE }));
    informer.on('error', () => undefined);
    await informer.start();
    while (informer.list().length < COUNT) await new Promise((r) => setTimeout(r, 20));
    return { size: () => informer.list().length, stop: () => informer.stop() };
  }
  const transport = createTransport(kubeConfig);
  const cache = createCache({ transport, ...(impl === 'opkit-keep-managed' ? { transform: (o: KubeObject) => o } : {}) });
  const informer = cache.informerFor(ConfigMap, { namespace: NAMESPACE });
  const controller = new AbortController();
  const running = cache.start(controller.signal);
  await cache.waitForCacheSync();
  while (informer.store.size < COUNT) await new Promise((r) => setTimeout(r, 20));
  return {
    size: () => informer.store.size,
    stop: async () => {
      controller.abort();
      await running;
      transport.close();
    },
  };
}

async function measure(impl: Impl, kubeConfig: KubeConfig): Promise<{ bytes: number; syncMs: number }> {
  const before = await settledHeap();
  const t0 = performance.now();
  let running: Awaited<ReturnType<typeof startImpl>> | undefined = await startImpl(impl, kubeConfig);
  const syncMs = performance.now() - t0;
  const after = await settledHeap();
  if (running.size() !== COUNT) throw new Error(`${impl} cached ${running.size()} objects, expected ${COUNT}`);
  await running.stop();
  running = undefined;
  await settledHeap();
  return { bytes: after - before, syncMs };
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
};

const env = new TestEnvironment();
const { kubeConfig } = await env.start();
try {
  const transport = createTransport(kubeConfig);
  const t0 = performance.now();
  const jsonBytes = await seed(createClient(transport));
  transport.close();
  console.log(`created ${COUNT} ConfigMaps (${jsonBytes} bytes of JSON each, managedFields included) in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

  const samples: Record<Impl, Array<{ bytes: number; syncMs: number }>> = { opkit: [], 'opkit-keep-managed': [], 'client-node': [] };
  for (let round = 0; round < ROUNDS; round++) {
    for (const impl of IMPLS) {
      const m = await measure(impl, kubeConfig);
      samples[impl].push(m);
      console.log(`  round ${round + 1} ${impl.padEnd(18)} ${(m.bytes / COUNT).toFixed(0).padStart(6)} B/object  sync ${m.syncMs.toFixed(0)} ms`);
    }
  }
  const rows = IMPLS.map((impl) => ({
    impl,
    bytesPerObject: Math.round(median(samples[impl].map((s) => s.bytes)) / COUNT),
    totalMiB: Number((median(samples[impl].map((s) => s.bytes)) / 2 ** 20).toFixed(1)),
    syncMs: Math.round(median(samples[impl].map((s) => s.syncMs))),
  }));
  const per = (impl: Impl): number => rows.find((r) => r.impl === impl)?.bytesPerObject ?? NaN;
  const ratios = {
    'opkit / client-node': Number((per('opkit') / per('client-node')).toFixed(2)),
    'opkit-keep-managed / client-node': Number((per('opkit-keep-managed') / per('client-node')).toFixed(2)),
  };
  console.log(`\nheap bytes per cached ConfigMap (${COUNT} objects, ~${jsonBytes} B JSON each; median of ${ROUNDS})`);
  console.table(rows);
  console.log(ratios);
  const out = join(dirname(fileURLToPath(import.meta.url)), 'results', 'cache-memory.json');
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(
    out,
    `${JSON.stringify({ date: new Date().toISOString(), node: process.version, objects: COUNT, jsonBytesPerObject: jsonBytes, rounds: ROUNDS, rows, ratios, samples }, null, 2)}\n`,
  );
  console.log(`wrote ${out}`);
} finally {
  await env.stop();
}
