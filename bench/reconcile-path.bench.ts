/**
 * The reconcile path inside the process, without the network: what Opkit itself spends from the
 * event handler's enqueue to the end of the reconcile. It is the operator workload of
 * bench/controller-runtime.bench.ts (bench/operator/opkit-operator.ts) with the API server taken
 * out: N ConfigMaps (about 1 KB each, frozen as the cache keeps them) in an in-memory informer, one
 * controller `for(ConfigMap)` at concurrency c with the manager's default Prometheus sinks, and per
 * object two reconciles — a cached `ctx.client.get` (a private copy) and a merge patch, whose
 * answer and watch event come back on later turns of the event loop; then the update event's
 * reconcile, a cached get and no patch.
 *
 * Baseline in the same run, alternating order: `floor`, the least any controller must do — a
 * hand-written dirty/processing set queue with c async workers calling the same reconciler, whose
 * `get` is a Map lookup plus the same private copy, and the same fake patch. Reported as
 * CPU µs per reconcile (this process's user + system, `process.cpuUsage`) and opkit / floor.
 *
 * It runs the built runtime (runtime/dist, as an operator does; `npm run build` first).
 *
 * Run: `node --expose-gc --import tsx bench/reconcile-path.bench.ts [objects=2000] [rounds=5]` (with
 * --expose-gc the setup's garbage is collected before each measurement; `npx tsx …` works too, noisier);
 * profile with `node --cpu-prof --import tsx bench/reconcile-path.bench.ts`. Writes JSON to
 * bench/results/reconcile-path.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigMap } from '../runtime/dist/api/builtins.js';
import type { KubeObject } from '../runtime/dist/api/resource.js';
import type { Client, Reader } from '../runtime/dist/client/client.js';
import { controller, type ControllerHost } from '../runtime/dist/controller/builder.js';
import type { ReconcileContext } from '../runtime/dist/controller/reconciler.js';
import type { Request } from '../runtime/dist/controller/handlers.js';
import type { Logger } from '../runtime/dist/log/logger.js';
import { cachedClient } from '../runtime/dist/manager/client.js';
import { OperatorMetrics } from '../runtime/dist/metrics/metrics.js';
import { realClock } from '../runtime/dist/util/clock.js';
import { deepCopy } from '../runtime/dist/util/deep-copy.js';
import { FakeCache, type FakeInformer } from '../test/support/fake-cache.js';

const OBJECTS = Number(process.argv[2] ?? 2000);
const ROUNDS = Number(process.argv[3] ?? 5);
const CONCURRENCIES = [1, 4, 16] as const;
const NAMESPACE = 'bench';
const RUN_ANNOTATION = 'bench.opkit.dev/run';
type Impl = 'opkit' | 'floor';

/** The operator bench's logger: discards everything, has no `isLevelEnabled`. */
const logger: Logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined, child: () => logger };

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

/** A ConfigMap as the cache holds it after the initial list (managedFields stripped; timestamps are strings on the wire). */
function configMap(i: number, annotations?: Record<string, string>): KubeObject {
  const blob = (i * 2654435761).toString(36).repeat(80).slice(0, 700);
  const object: Record<string, unknown> = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name: `cm-${i}`,
      namespace: NAMESPACE,
      uid: `6c1f0b1e-0000-4000-8000-${String(i).padStart(12, '0')}`,
      resourceVersion: String(1000 + i),
      creationTimestamp: '2026-01-01T00:00:00Z',
      labels: { app: 'bench', shard: String(i % 16) },
      ...(annotations ? { annotations } : {}),
    },
    data: { 'config.yaml': `id: ${i}\nname: cm-${i}\nblob: ${blob}\n`, 'extra.txt': blob.slice(0, 100) },
  };
  return deepFreeze(object) as KubeObject;
}

/** Stands in for the API server: the patch answers on a later turn, then its watch event arrives. */
function fakeServer(informer: FakeInformer<KubeObject>, run: string): (key: Request) => Promise<KubeObject> {
  // the answers are made before the measurement starts: only the controller's work is counted
  const answers = new Map(Array.from({ length: OBJECTS }, (_, i) => [`cm-${i}`, configMap(i, { [RUN_ANNOTATION]: run })]));
  return (key) =>
    new Promise((resolve) => {
      const updated = answers.get(key.name) as KubeObject;
      setImmediate(() => {
        resolve(updated);
        setImmediate(() => informer.update(updated));
      });
    });
}

/** The opkit-operator reconciler: a cached get, then a patch unless this run's annotation is there. */
function reconciler(run: string, get: (req: Request) => Promise<KubeObject>, patch: (req: Request) => Promise<KubeObject>, onReconcile: () => void) {
  return async (req: Request): Promise<void> => {
    const cm = await get(req);
    if (cm.metadata?.annotations?.[RUN_ANNOTATION] !== run) await patch(req);
    onReconcile();
  };
}

function seeded(): { cache: FakeCache; informer: FakeInformer<KubeObject> } {
  const cache = new FakeCache();
  const informer = cache.informerFor(ConfigMap as never) as FakeInformer<KubeObject>;
  for (let i = 0; i < OBJECTS; i++) informer.objects.set(`${NAMESPACE}/cm-${i}`, configMap(i));
  informer.sync();
  return { cache, informer };
}

/** A full GC before each measurement when node runs with --expose-gc: the setup's garbage is not counted. */
function collectGarbage(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

function cpuUs(): number {
  const u = process.cpuUsage();
  return u.user + u.system;
}

async function opkit(concurrency: number, run: string): Promise<number> {
  const { cache, informer } = seeded();
  const metrics = new OperatorMetrics();
  const patch = fakeServer(informer, run);
  const writer = { patch: (_r: unknown, key: Request) => patch(key) } as unknown as Client;
  const client = cachedClient({ reader: cache, writer });
  let reconciles = 0;
  let finish: () => void = () => undefined;
  const all = new Promise<void>((r) => (finish = r));
  const host: ControllerHost = {
    cache,
    client,
    apiReader: cache as Reader,
    eventRecorder: () => ({ event: () => undefined }) as never,
    clock: realClock,
    logger,
    controllerMetrics: metrics.controller,
    workqueueMetrics: (name) => metrics.workqueue(name),
    namespace: NAMESPACE,
    gracefulShutdownTimeoutMs: 1_000,
    add: () => undefined,
  };
  const fn = reconciler(
    run,
    (req) => client.get(ConfigMap as never, req),
    (req) => client.patch(ConfigMap as never, req, { metadata: { annotations: { [RUN_ANNOTATION]: run } } }),
    () => void (++reconciles === 2 * OBJECTS && finish()),
  );
  const ctl = controller(host)
    .for(ConfigMap)
    .named('bench')
    .concurrency(concurrency)
    .reconcile((req: Request, _ctx: ReconcileContext) => fn(req));
  const abort = new AbortController();
  collectGarbage();
  const t0 = cpuUs();
  const running = ctl.start(abort.signal);
  await all;
  const used = cpuUs() - t0;
  abort.abort();
  await running;
  return used;
}

/** The baseline: client-go's queue semantics written plainly, the same reconciler, no framework. */
async function floor(concurrency: number, run: string): Promise<number> {
  const { informer } = seeded();
  const queue: string[] = [];
  const dirty = new Set<string>();
  const processing = new Set<string>();
  const waiting: Array<() => void> = [];
  const add = (key: string): void => {
    if (dirty.has(key)) return;
    dirty.add(key);
    if (processing.has(key)) return;
    queue.push(key);
    waiting.shift()?.();
  };
  let reconciles = 0;
  let stopped = false;
  let finish: () => void = () => undefined;
  const all = new Promise<void>((r) => (finish = r));
  const patch = fakeServer(informer, run);
  const fn = reconciler(
    run,
    (req) => Promise.resolve(deepCopy(informer.objects.get(`${req.namespace}/${req.name}`) as KubeObject)),
    patch,
    () => {
      if (++reconciles === 2 * OBJECTS) {
        stopped = true;
        finish();
        for (const wake of waiting.splice(0)) wake();
      }
    },
  );
  collectGarbage();
  const t0 = cpuUs();
  informer.addEventHandler({
    onAdd: (o) => add(`${o.metadata?.namespace}/${o.metadata?.name}`),
    onUpdate: (_old, o) => add(`${o.metadata?.namespace}/${o.metadata?.name}`),
    onDelete: (o) => add(`${o.metadata?.namespace}/${o.metadata?.name}`),
  });
  const worker = async (): Promise<void> => {
    while (!stopped) {
      const key = queue.shift();
      if (key === undefined) {
        await new Promise<void>((resolve) => waiting.push(resolve));
        continue;
      }
      dirty.delete(key);
      processing.add(key);
      const slash = key.indexOf('/');
      try {
        await fn({ namespace: key.slice(0, slash), name: key.slice(slash + 1) });
      } finally {
        processing.delete(key);
        if (dirty.has(key)) {
          queue.push(key);
          waiting.shift()?.();
        }
      }
    }
  };
  await Promise.all([all, ...Array.from({ length: concurrency }, worker)]);
  return cpuUs() - t0;
}

interface Sample {
  readonly round: number;
  readonly impl: Impl;
  readonly concurrency: number;
  readonly usPerReconcile: number;
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? (s[mid] ?? NaN) : ((s[mid - 1] ?? NaN) + (s[mid] ?? NaN)) / 2;
};

const samples: Sample[] = [];
for (let round = -1; round < ROUNDS; round++) {
  for (const concurrency of CONCURRENCIES) {
    const order: Impl[] = round % 2 === 0 ? ['opkit', 'floor'] : ['floor', 'opkit'];
    for (const impl of order) {
      const us = await (impl === 'opkit' ? opkit : floor)(concurrency, `r${round}-c${concurrency}-${impl}`);
      // round -1 warms the JIT up and is not counted
      if (round >= 0) samples.push({ round, impl, concurrency, usPerReconcile: us / (2 * OBJECTS) });
    }
  }
}

const rows = CONCURRENCIES.map((concurrency) => {
  const of = (impl: Impl) => median(samples.filter((s) => s.impl === impl && s.concurrency === concurrency).map((s) => s.usPerReconcile));
  const ratios = Array.from({ length: ROUNDS }, (_, round) => {
    const pick = (impl: Impl) => samples.find((s) => s.round === round && s.impl === impl && s.concurrency === concurrency)?.usPerReconcile ?? NaN;
    return pick('opkit') / pick('floor');
  });
  return { concurrency, opkitUs: of('opkit'), floorUs: of('floor'), ratio: median(ratios) };
});
console.log(`reconcile path, ${OBJECTS} objects x 2 reconciles, ${ROUNDS} rounds (load average ${loadavg()[0]?.toFixed(1)}, ${cpus().length} CPUs)`);
console.log('c    opkit µs/reconcile   floor µs/reconcile   opkit / floor');
for (const r of rows) console.log(`${String(r.concurrency).padEnd(4)} ${r.opkitUs.toFixed(2).padStart(18)} ${r.floorUs.toFixed(2).padStart(20)} ${r.ratio.toFixed(2).padStart(15)}`);

const out = join(dirname(fileURLToPath(import.meta.url)), 'results', 'reconcile-path.json');
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, `${JSON.stringify({ objects: OBJECTS, rounds: ROUNDS, node: process.version, loadAverage: loadavg(), rows, samples }, null, 2)}\n`);
