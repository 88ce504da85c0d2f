/**
 * Reconcile throughput: 2,000 Widgets, each needing one status write, against a real control plane
 * (TestEnvironment), at concurrency 1, 4 and 16. Three implementations of the same work, each in a
 * fresh namespace with 2,000 freshly created Widgets, timed from "start" to "2,000th status write
 * acknowledged" (list + watch setup included):
 *
 * - `opkit`: Manager + controller(mgr).for(Widget).withPredicates(generationChanged()).concurrency(N),
 *   the reconciler reads from the cache (a private copy, the default) and patches status;
 * - `opkit-shared`: the same with `client: { unsafeDisableDeepCopy: true }` (reads return the
 *   cache's shared, frozen objects): the cost of the default copy is the ratio of the two;
 * - `client-node`: @kubernetes/client-node 1.4 `makeInformer` + a hand-written dedupe queue with N
 *   workers, reading from the informer cache and patching status with CustomObjectsApi;
 * - `raw`: the ceiling — no informer, no queue: N concurrent writers patch the 2,000 statuses
 *   directly over Opkit's keep-alive transport.
 *
 * Each (implementation, concurrency) runs `rounds` times (default 2) with the implementation order
 * rotated per round; the best run counts (the machine is shared, noise only ever slows a run down).
 *
 * Run: `npx tsx bench/reconcile-throughput.bench.ts [count] [rounds] [impls]` (impls: a comma-separated
 * subset, default all; the ratios need the implementations they compare). Prints a table and writes
 * JSON (every sample, the best, and the ratios) to bench/results/.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  CustomObjectsApi,
  makeInformer,
  PatchStrategy,
  setHeaderOptions,
  type KubeConfig,
  type KubernetesListObject,
} from '@kubernetes/client-node';
import { Namespace } from '../runtime/src/api/builtins.js';
import { createClient, type Client } from '../runtime/src/client/client.js';
import { createTransport, type Transport } from '../runtime/src/client/transport.js';
import { controller } from '../runtime/src/controller/builder.js';
import { silentLogger, type Logger } from '../runtime/src/log/logger.js';
import { Manager } from '../runtime/src/manager/manager.js';
import { generationChanged } from '../runtime/src/predicates/predicates.js';
import { TestEnvironment } from '../runtime/src/testing/index.js';
import { Widget, WIDGET_CRD } from '../test/support/widget.js';

const COUNT = Number(process.argv[2] ?? 2000);
const ROUNDS = Number(process.argv[3] ?? 2);
const CONCURRENCIES = [1, 4, 16] as const;
const ALL_IMPLS = ['opkit', 'opkit-shared', 'client-node', 'raw'] as const;
type Impl = (typeof ALL_IMPLS)[number];
const IMPLS: readonly Impl[] = process.argv[4] ? ALL_IMPLS.filter((i) => process.argv[4]?.split(',').includes(i)) : ALL_IMPLS;
if (IMPLS.length === 0) throw new Error(`no known implementation in "${process.argv[4]}"; pick from ${ALL_IMPLS.join(', ')}`);
const DONE = { status: { phase: 'Done' } };

interface Measurement {
  readonly round: number;
  readonly impl: Impl;
  readonly concurrency: number;
  readonly objects: number;
  readonly ms: number;
  readonly objectsPerSec: number;
  /** opkit only: ms from start until the manager reported its caches synced. */
  readonly syncMs?: number;
}

function signalled(): { promise: Promise<void>; fire: () => void } {
  let fire: () => void = () => undefined;
  const promise = new Promise<void>((r) => (fire = r));
  return { promise, fire };
}

async function seed(client: Client, ns: string): Promise<string[]> {
  await client.create(Namespace, { metadata: { name: ns } });
  const names = Array.from({ length: COUNT }, (_, i) => `w${i}`);
  let next = 0;
  await Promise.all(
    Array.from({ length: 32 }, async () => {
      while (next < names.length) {
        const name = names[next++] ?? '';
        await client.create(Widget, { metadata: { namespace: ns, name }, spec: { size: 1 } });
      }
    }),
  );
  return names;
}

async function runOpkit(kubeConfig: KubeConfig, ns: string, concurrency: number, shared: boolean): Promise<{ ms: number; syncMs: number }> {
  let syncedAt = NaN;
  const logger: Logger = {
    ...silentLogger,
    child: () => logger,
    info: (msg) => {
      if (msg.startsWith('Caches synced')) syncedAt = performance.now();
    },
  };
  const mgr = new Manager({ kubeConfig, namespace: ns, logger, client: { unsafeDisableDeepCopy: shared } });
  let writes = 0;
  const all = signalled();
  controller(mgr)
    .for(Widget)
    .withPredicates(generationChanged())
    .concurrency(concurrency)
    .reconcile(async (req, ctx) => {
      const w = await ctx.client.get(Widget, req);
      if (w.status?.phase === 'Done') return;
      await ctx.client.status.patch(Widget, req, DONE);
      if (++writes === COUNT) all.fire();
    });
  const abort = new AbortController();
  const t0 = performance.now();
  const running = mgr.start(abort.signal);
  await Promise.race([all.promise, running]);
  const ms = performance.now() - t0;
  abort.abort();
  await running;
  return { ms, syncMs: syncedAt - t0 };
}

async function runClientNode(kubeConfig: KubeConfig, ns: string, concurrency: number): Promise<number> {
  const api = kubeConfig.makeApiClient(CustomObjectsApi);
  const target = { group: Widget.group, version: Widget.version, namespace: ns, plural: Widget.plural };
  const path = `/apis/${Widget.group}/${Widget.version}/namespaces/${ns}/${Widget.plural}`;
  const informer = makeInformer<Widget & { metadata: { name: string } }>(
    kubeConfig,
    path,
    () => api.listNamespacedCustomObject(target) as Promise<KubernetesListObject<Widget & { metadata: { name: string } }>>,
  );
  // A hand-written work loop: dedupe set + FIFO + N workers, one key never processed twice at once.
  const queue: string[] = [];
  const queued = new Set<string>();
  const processing = new Set<string>();
  const generations = new Map<string, number | undefined>();
  const idle: Array<() => void> = [];
  let stopped = false;
  const enqueue = (name: string): void => {
    if (queued.has(name)) return;
    queued.add(name);
    queue.push(name);
    idle.shift()?.();
  };
  informer.on('add', (o) => {
    generations.set(o.metadata.name, o.metadata.generation);
    enqueue(o.metadata.name);
  });
  informer.on('update', (o) => {
    if (generations.get(o.metadata.name) === o.metadata.generation) return;
    generations.set(o.metadata.name, o.metadata.generation);
    enqueue(o.metadata.name);
  });
  let writes = 0;
  const all = signalled();
  const patchOptions = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
  const worker = async (): Promise<void> => {
    while (!stopped) {
      const i = queue.findIndex((n) => !processing.has(n));
      if (i < 0) {
        await new Promise<void>((r) => idle.push(r));
        continue;
      }
      const [name = ''] = queue.splice(i, 1);
      queued.delete(name);
      processing.add(name);
      try {
        const w = informer.get(name, ns);
        if (w && w.status?.phase !== 'Done') {
          await api.patchNamespacedCustomObjectStatus({ ...target, name, body: DONE }, patchOptions);
          if (++writes === COUNT) all.fire();
        }
      } catch (err) {
        console.error('client-node worker error', err);
        enqueue(name);
      } finally {
        processing.delete(name);
        if (queue.length > 0) idle.shift()?.();
      }
    }
  };
  const t0 = performance.now();
  await informer.start();
  const workers = Array.from({ length: concurrency }, worker);
  await all.promise;
  const ms = performance.now() - t0;
  stopped = true;
  for (const wake of idle.splice(0)) wake();
  await informer.stop();
  await Promise.all(workers);
  return ms;
}

async function runRaw(transport: Transport, ns: string, names: readonly string[], concurrency: number): Promise<number> {
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < names.length) {
        const name = names[next++] ?? '';
        await transport.request({
          method: 'PATCH',
          path: `/apis/${Widget.group}/${Widget.version}/namespaces/${ns}/${Widget.plural}/${name}/status`,
          body: DONE,
          contentType: 'application/merge-patch+json',
        });
      }
    }),
  );
  return performance.now() - t0;
}

async function main(): Promise<void> {
  const env = new TestEnvironment({ crdPaths: [WIDGET_CRD] });
  const { kubeConfig } = await env.start();
  const transport = createTransport(kubeConfig);
  const client = createClient(transport);
  const results: Measurement[] = [];
  try {
    for (let round = 0; round < ROUNDS; round++) {
      for (const concurrency of CONCURRENCIES) {
        const order = IMPLS.map((_, i) => IMPLS[(i + round) % IMPLS.length] ?? 'raw');
        for (const impl of order) {
          const ns = `bench-r${round}-${impl}-c${concurrency}`;
          const names = await seed(client, ns);
          let syncMs: number | undefined;
          let ms: number;
          if (impl === 'opkit' || impl === 'opkit-shared') ({ ms, syncMs } = await runOpkit(kubeConfig, ns, concurrency, impl === 'opkit-shared'));
          else if (impl === 'client-node') ms = await runClientNode(kubeConfig, ns, concurrency);
          else ms = await runRaw(transport, ns, names, concurrency);
          const m: Measurement = {
            round,
            impl,
            concurrency,
            objects: COUNT,
            ms: Math.round(ms),
            objectsPerSec: Math.round((COUNT / ms) * 1000),
            ...(syncMs === undefined ? {} : { syncMs: Math.round(syncMs) }),
          };
          results.push(m);
          const sync = syncMs === undefined ? '' : `  (caches synced after ${Math.round(syncMs)} ms)`;
          console.log(`round ${round} ${impl.padEnd(12)} c=${String(concurrency).padEnd(3)} ${String(m.ms).padStart(6)} ms  ${String(m.objectsPerSec).padStart(5)} objects/s${sync}`);
        }
      }
    }
  } finally {
    transport.close();
    await env.stop();
  }
  const best = (impl: Impl, c: number): number =>
    Math.max(...results.filter((r) => r.impl === impl && r.concurrency === c).map((r) => r.objectsPerSec));
  const ratio = (a: Impl, b: Impl, c: number): number | undefined =>
    IMPLS.includes(a) && IMPLS.includes(b) ? Number((best(a, c) / best(b, c)).toFixed(2)) : undefined;
  const summary = CONCURRENCIES.map((c) => ({
    concurrency: c,
    ...Object.fromEntries(IMPLS.map((impl) => [impl, best(impl, c)])),
    opkitVsOpkitShared: ratio('opkit', 'opkit-shared', c),
    opkitVsClientNode: ratio('opkit', 'client-node', c),
    opkitVsRaw: ratio('opkit', 'raw', c),
    clientNodeVsRaw: ratio('client-node', 'raw', c),
  }));
  console.table(summary);
  const out = join(dirname(fileURLToPath(import.meta.url)), 'results');
  mkdirSync(out, { recursive: true });
  const file = join(out, `reconcile-throughput-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  const meta = { node: process.version, cpus: cpus().length, cpuModel: cpus()[0]?.model, objects: COUNT, rounds: ROUNDS, unit: 'objects/s (best of rounds)' };
  writeFileSync(file, `${JSON.stringify({ benchmark: 'reconcile-throughput', meta, summary, results }, null, 2)}\n`);
  console.log(`wrote ${file}`);
}

await main();
