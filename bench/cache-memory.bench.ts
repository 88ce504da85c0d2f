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
 * Then the cost of reading through the manager's client (`cachedClient` over the opkit cache):
 * private copies (the default) against the shared, frozen objects (`unsafeDisableDeepCopy`), in
 * the same process: ms per `list` of all N, µs per `get`, and heap bytes per object held by a
 * caller that keeps the listed objects (copies are the caller's; shared objects cost nothing).
 *
 * Run: `node --expose-gc --import tsx bench/cache-memory.bench.ts [count] [rounds]`. Prints a table
 * and writes JSON to bench/results/cache-memory.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CoreV1Api, makeInformer, type KubeConfig, type V1ConfigMap } from '@kubernetes/client-node';
import { ConfigMap } from '../runtime/src/api/builtins.js';
import type { KubeObject } from '../runtime/src/api/resource.js';
import { createCache } from '../runtime/src/cache/cache.js';
import { createClient, type Client } from '../runtime/src/client/client.js';
import { cachedClient } from '../runtime/src/manager/client.js';
import { createTransport } from '../runtime/src/client/transport.js';
import { TestEnvironment } from '../runtime/src/testing/index.js';
import { seedConfigMaps } from './support/cr-workloads.js';

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

/** Seeds COUNT ConfigMaps; returns the JSON size of one. */
async function seed(client: Client): Promise<number> {
  await seedConfigMaps(client, NAMESPACE, COUNT);
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

interface ReadCost {
  readonly mode: 'copy (default)' | 'shared (unsafeDisableDeepCopy)';
  readonly listMs: number;
  readonly getUs: number;
  readonly heldBytesPerObject: number;
}

/** Reads through `cachedClient` over a synced opkit cache of the N ConfigMaps, both modes alternating. */
async function measureReads(kubeConfig: KubeConfig, rounds: number): Promise<ReadCost[]> {
  const transport = createTransport(kubeConfig);
  const cache = createCache({ transport, namespace: NAMESPACE });
  const client = cachedClient({ reader: cache, writer: createClient(transport) });
  const controller = new AbortController();
  const running = cache.start(controller.signal);
  try {
    while ((await client.list(ConfigMap, { unsafeDisableDeepCopy: true })).length < COUNT) await new Promise((r) => setTimeout(r, 20));
    const names = (await client.list(ConfigMap, { unsafeDisableDeepCopy: true })).map((o) => o.metadata?.name ?? '');
    const modes = [
      { mode: 'copy (default)', unsafeDisableDeepCopy: false },
      { mode: 'shared (unsafeDisableDeepCopy)', unsafeDisableDeepCopy: true },
    ] as const;
    const samples = new Map<string, { list: number[]; get: number[]; held: number[] }>(modes.map((m) => [m.mode, { list: [], get: [], held: [] }]));
    for (let round = 0; round < rounds * 3; round++) {
      for (const m of round % 2 === 0 ? modes : [...modes].reverse()) {
        const sample = samples.get(m.mode);
        if (!sample) continue;
        const opts = { unsafeDisableDeepCopy: m.unsafeDisableDeepCopy };
        let t = performance.now();
        await client.list(ConfigMap, opts);
        sample.list.push(performance.now() - t);
        t = performance.now();
        for (const name of names) await client.get(ConfigMap, { namespace: NAMESPACE, name }, opts);
        sample.get.push(((performance.now() - t) * 1000) / names.length);
        const before = await settledHeap();
        const held = await client.list(ConfigMap, opts);
        const after = await settledHeap();
        if (held.length !== COUNT) throw new Error(`listed ${held.length} objects, expected ${COUNT}`);
        sample.held.push((after - before) / COUNT);
      }
    }
    return modes.map((m) => {
      const sample = samples.get(m.mode) ?? { list: [], get: [], held: [] };
      return { mode: m.mode, listMs: Number(median(sample.list).toFixed(2)), getUs: Number(median(sample.get).toFixed(2)), heldBytesPerObject: Math.round(median(sample.held)) };
    });
  } finally {
    controller.abort();
    await running;
    transport.close();
  }
}

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
  const reads = await measureReads(kubeConfig, ROUNDS);
  const copy = reads[0];
  const shared = reads[1];
  const readRatios = copy && shared ? { 'list: copy / shared': Number((copy.listMs / shared.listMs).toFixed(1)), 'get: copy / shared': Number((copy.getUs / shared.getUs).toFixed(1)) } : {};
  console.log(`\nreads through the manager's client (${COUNT} cached ConfigMaps; median of ${ROUNDS * 3})`);
  console.table(reads);
  console.log(readRatios);
  const out = join(dirname(fileURLToPath(import.meta.url)), 'results', 'cache-memory.json');
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(
    out,
    `${JSON.stringify({ date: new Date().toISOString(), node: process.version, objects: COUNT, jsonBytesPerObject: jsonBytes, rounds: ROUNDS, rows, ratios, reads, readRatios, samples }, null, 2)}\n`,
  );
  console.log(`wrote ${out}`);
} finally {
  await env.stop();
}
