/**
 * The event → reconcile path inside the process, without the network: a Manager whose cache reads
 * from an in-memory transport (a list, then one watch connection fed with JSON lines as the API
 * server sends them), one controller `for(ConfigMap)`, and a reconciler that notes when it ran.
 * What is measured is Opkit's own work per event: JSON parse, transform, freeze, store, handler,
 * predicates, key, workqueue, worker, reconcile context.
 *
 * - latency (quiet): one MODIFIED event at a time, the next once the reconcile ran; p50/p99 of
 *   "line handed to the watch stream" → "reconciler called", `events` events (default 3000);
 * - throughput: `events` MODIFIED events over 500 keys pushed in bursts of 100; CPU µs per event
 *   (this process's user + system) until every key's last event was reconciled;
 * - socket → handler: a SharedInformer alone, one counting handler, `events` MODIFIED events one
 *   per chunk; CPU µs per event (what the watch, reflector, store and dispatch cost).
 *
 * Baseline in the same run, rotating order: `floor`, the least any implementation must do — the
 * same bytes through a stream's `data` events, line splitting, `JSON.parse`, a Map keyed by
 * namespace/name and a direct call of the same reconciler (no cache, no queue, no dedupe).
 * Reported as opkit / floor. With `--baseline <dir>` a second built runtime (say main's
 * runtime/dist, copied aside before building) runs as `base` in the same rounds, reported as
 * opkit / base, paired per round.
 *
 * It runs the built runtime (runtime/dist, as an operator does; `npm run build` first): under tsx,
 * every closure the runtime creates per event would also pay for tsx's function-name helper.
 *
 * Run: `npx tsx bench/event-path.bench.ts [events] [rounds] [--baseline <dir>]`; `node --cpu-prof --import tsx …` to
 * profile. Writes JSON to bench/results/event-path.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PassThrough } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { KubeConfig } from '@kubernetes/client-node';
import type * as Builtins from '../runtime/dist/api/builtins.js';
import type * as CacheModule from '../runtime/dist/cache/cache.js';
import type * as InformerModule from '../runtime/dist/cache/informer.js';
import type { Transport, TransportRequest, StreamSink } from '../runtime/dist/client/transport.js';
import type * as Builder from '../runtime/dist/controller/builder.js';
import type * as LoggerModule from '../runtime/dist/log/logger.js';
import type * as ManagerModule from '../runtime/dist/manager/manager.js';

const args = process.argv.slice(2);
const flag = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i === -1 ? undefined : args.splice(i, 2)[1];
};
/** `--baseline <dir>`: a second built runtime (e.g. main's runtime/dist copied aside), run as `base` in the same rounds. */
const BASELINE = flag('--baseline');
const EVENTS = Number(args[0] ?? 3000);
const ROUNDS = Number(args[1] ?? 5);
const KEYS = 500;
const NAMESPACE = 'bench';

/**
 * An API server in memory: an empty list at resourceVersion 1, then the lines the bench pushes,
 * written into a watch body (a byte stream, as a socket delivers them) that is read the way the
 * transport reads one: `stream` as its async-iterator loop does, `streamTo` with `data` events.
 */
class InMemoryTransport implements Transport {
  body: PassThrough | undefined;
  #opened: (() => void) | undefined;
  readonly opened = new Promise<void>((resolve) => (this.#opened = resolve));
  async request<T>(_req: TransportRequest): Promise<T> {
    return { items: [], metadata: { resourceVersion: '1' } } as T;
  }
  #open(req: TransportRequest): PassThrough {
    const body = new PassThrough();
    this.body = body;
    req.signal?.addEventListener('abort', () => body.destroy(), { once: true });
    body.setEncoding('utf8');
    return body;
  }
  async *stream(req: TransportRequest): AsyncIterable<string> {
    const body = this.#open(req);
    req.onOpen?.();
    this.#opened?.();
    let partial = '';
    try {
      for await (const chunk of body) {
        const lines = (partial + (chunk as string)).split('\n');
        partial = lines.pop() ?? '';
        for (const line of lines) if (line.trim() !== '') yield line;
      }
    } catch {
      return;
    }
  }
  streamTo(req: TransportRequest, sink: StreamSink): Promise<void> {
    const body = this.#open(req);
    return new Promise<void>((resolve) => {
      body.once('close', resolve);
      sink.open?.({ pause: () => body.pause(), resume: () => body.resume() });
      body.on('data', (chunk: string) => sink.data(chunk));
      this.#opened?.();
    });
  }
  close(): void {
    this.body?.destroy();
  }
}

const DATA = { 'config.yaml': 'x'.repeat(700), 'extra.txt': 'y'.repeat(100) };
let rv = 10;
/** A watch line as kube-apiserver sends it (managedFields included). */
function line(key: number): { name: string; text: string } {
  const name = `cm-${key}`;
  rv++;
  const object = {
    kind: 'ConfigMap',
    apiVersion: 'v1',
    metadata: {
      name,
      namespace: NAMESPACE,
      uid: `00000000-0000-0000-0000-${String(key).padStart(12, '0')}`,
      resourceVersion: String(rv),
      creationTimestamp: '2026-12-01T10:00:00Z',
      labels: { app: 'bench' },
      managedFields: [{ manager: 'bench', operation: 'Update', apiVersion: 'v1', time: '2026-12-01T10:00:00Z', fieldsType: 'FieldsV1', fieldsV1: { 'f:data': { '.': {}, 'f:config.yaml': {}, 'f:extra.txt': {} } } }],
    },
    data: DATA,
  };
  return { name, text: JSON.stringify({ type: 'MODIFIED', object }) };
}

type Reconciled = (name: string) => void;
interface Harness {
  readonly push: (text: string) => void;
  readonly stop: () => Promise<void>;
}

interface Runtime {
  readonly ConfigMap: typeof Builtins.ConfigMap;
  readonly createCache: typeof CacheModule.createCache;
  readonly controller: typeof Builder.controller;
  readonly silentLogger: typeof LoggerModule.silentLogger;
  readonly Manager: typeof ManagerModule.Manager;
  readonly SharedInformer: typeof InformerModule.SharedInformer;
}

async function loadRuntime(dir: string): Promise<Runtime> {
  const load = (path: string): Promise<Record<string, unknown>> => import(pathToFileURL(join(dir, path)).href) as Promise<Record<string, unknown>>;
  const [builtins, cache, builder, logger, manager, informer] = await Promise.all([
    load('api/builtins.js'),
    load('cache/cache.js'),
    load('controller/builder.js'),
    load('log/logger.js'),
    load('manager/manager.js'),
    load('cache/informer.js'),
  ]);
  return { ConfigMap: builtins.ConfigMap, createCache: cache.createCache, controller: builder.controller, silentLogger: logger.silentLogger, Manager: manager.Manager, SharedInformer: informer.SharedInformer } as Runtime;
}

const here = dirname(fileURLToPath(import.meta.url));
const runtimes: Record<string, Runtime> = { opkit: await loadRuntime(join(here, '..', 'runtime', 'dist')) };
if (BASELINE) runtimes.base = await loadRuntime(BASELINE);

async function startOpkit(rt: Runtime, onReconcile: Reconciled): Promise<Harness> {
  const { ConfigMap, createCache, controller, silentLogger, Manager } = rt;
  const transport = new InMemoryTransport();
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromOptions({ clusters: [{ name: 'c', server: 'https://127.0.0.1:9' }], users: [{ name: 'u' }], contexts: [{ name: 'x', cluster: 'c', user: 'u' }], currentContext: 'x' });
  const mgr = new Manager({ kubeConfig, logger: silentLogger, newCache: (deps) => createCache({ transport, clock: deps.clock }) });
  controller(mgr)
    .for(ConfigMap)
    .reconcile(async (req) => void onReconcile(req.name));
  const ctl = new AbortController();
  const running = mgr.start(ctl.signal);
  await transport.opened;
  return {
    push: (text) => void transport.body?.write(`${text}\n`),
    stop: async () => {
      ctl.abort();
      await running;
    },
  };
}

async function startFloor(onReconcile: Reconciled): Promise<Harness> {
  const body = new PassThrough();
  body.setEncoding('utf8');
  const store = new Map<string, unknown>();
  const reconcile = async (name: string): Promise<void> => void onReconcile(name);
  let partial = '';
  body.on('data', (chunk: string) => {
    let start = 0;
    for (let nl = chunk.indexOf('\n'); nl !== -1; start = nl + 1, nl = chunk.indexOf('\n', start)) {
      const text = partial === '' ? chunk.slice(start, nl) : partial + chunk.slice(start, nl);
      partial = '';
      const event = JSON.parse(text) as { object: { metadata: { namespace: string; name: string } } };
      const { namespace, name } = event.object.metadata;
      store.set(`${namespace}/${name}`, event.object);
      void reconcile(name);
    }
    partial += chunk.slice(start);
  });
  return {
    push: (text) => void body.write(`${text}\n`),
    stop: async () => {
      body.destroy();
    },
  };
}

/**
 * Socket → handler only: a SharedInformer (default transform and freeze) with one handler that
 * counts, `events` MODIFIED events written one per chunk in bursts of 100. CPU µs per event.
 * For the floor: the same bytes, split and parsed, into a Map, and the same count.
 */
async function informerPath(impl: Impl): Promise<number> {
  const lines = Array.from({ length: EVENTS }, (_, i) => line(i % KEYS).text);
  let seen = 0;
  let done: (() => void) | undefined;
  const count = (): void => {
    if (++seen === EVENTS) done?.();
  };
  let write: (text: string) => void;
  let stop: () => Promise<void>;
  const rt = runtimes[impl];
  if (rt) {
    const transport = new InMemoryTransport();
    const informer = new rt.SharedInformer({ transport, resource: rt.ConfigMap });
    informer.addEventHandler({ onAdd: count, onUpdate: count, onDelete: count });
    const ctl = new AbortController();
    const running = informer.run(ctl.signal);
    await transport.opened;
    await informer.waitForSync();
    write = (text) => void transport.body?.write(`${text}\n`);
    stop = async () => {
      ctl.abort();
      await running;
    };
  } else {
    const floor = await startFloor(() => count());
    write = floor.push;
    stop = floor.stop;
  }
  const cpu = process.cpuUsage();
  await new Promise<void>((resolve) => {
    done = resolve;
    let i = 0;
    const burst = (): void => {
      for (let n = 0; n < 100 && i < lines.length; n++, i++) write(lines[i] as string);
      if (i < lines.length) setImmediate(burst);
    };
    burst();
  });
  const used = process.cpuUsage(cpu);
  await stop();
  return Math.round(((used.user + used.system) / EVENTS) * 10) / 10;
}

type Impl = string;
const IMPLS: Record<Impl, (onReconcile: Reconciled) => Promise<Harness>> = { floor: startFloor };
for (const [name, rt] of Object.entries(runtimes)) IMPLS[name] = (onReconcile) => startOpkit(rt, onReconcile);
const start = (impl: Impl, onReconcile: Reconciled): Promise<Harness> => {
  const fn = IMPLS[impl];
  if (!fn) throw new Error(`no implementation ${impl}`);
  return fn(onReconcile);
};

async function latency(impl: Impl): Promise<{ p50Us: number; p99Us: number }> {
  let waiting: { name: string; resolve: () => void } | undefined;
  let sentAt = 0;
  const samples: number[] = [];
  const h = await start(impl, (name) => {
    if (waiting?.name !== name) return;
    samples.push((performance.now() - sentAt) * 1000);
    const w = waiting;
    waiting = undefined;
    w.resolve();
  });
  try {
    for (let i = 0; i < EVENTS; i++) {
      const { name, text } = line(i % KEYS);
      await new Promise<void>((resolve) => {
        waiting = { name, resolve };
        sentAt = performance.now();
        h.push(text);
      });
      // let timers and I/O run between events, as on a quiet watch
      if (i % 10 === 0) await new Promise((r) => setImmediate(r));
    }
  } finally {
    await h.stop();
  }
  const warm = samples.slice(Math.floor(samples.length / 10)).sort((a, b) => a - b);
  const at = (q: number): number => Math.round(warm[Math.min(warm.length - 1, Math.floor(q * warm.length))] ?? NaN);
  return { p50Us: at(0.5), p99Us: at(0.99) };
}

async function throughput(impl: Impl): Promise<{ cpuUsPerEvent: number; msTotal: number }> {
  const lastPushAt = new Map<string, number>();
  const reconciledAt = new Map<string, number>();
  const satisfied = new Set<string>();
  let sentDone = false;
  let finish: (() => void) | undefined;
  const h = await start(impl, (name) => {
    const now = performance.now();
    reconciledAt.set(name, now);
    if (sentDone && now > (lastPushAt.get(name) ?? Infinity)) {
      satisfied.add(name);
      if (satisfied.size === lastPushAt.size) finish?.();
    }
  });
  const lines = Array.from({ length: EVENTS }, (_, i) => line(i % KEYS));
  const cpu = process.cpuUsage();
  const t0 = performance.now();
  try {
    await new Promise<void>((resolve) => {
      finish = resolve;
      let i = 0;
      const burst = (): void => {
        for (let n = 0; n < 100 && i < lines.length; n++, i++) {
          const l = lines[i] as { name: string; text: string };
          lastPushAt.set(l.name, performance.now());
          h.push(l.text);
        }
        if (i < lines.length) return void setImmediate(burst);
        sentDone = true;
        for (const [name, at] of lastPushAt) if ((reconciledAt.get(name) ?? 0) > at) satisfied.add(name);
        if (satisfied.size === lastPushAt.size) resolve();
      };
      burst();
    });
  } finally {
    await h.stop();
  }
  const used = process.cpuUsage(cpu);
  return { cpuUsPerEvent: Math.round(((used.user + used.system) / EVENTS) * 10) / 10, msTotal: Math.round(performance.now() - t0) };
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? NaN;
};

const order: Impl[] = [...Object.keys(runtimes), 'floor'];
type Samples = { p50Us: number[]; p99Us: number[]; cpuUsPerEvent: number[]; informerCpuUsPerEvent: number[] };
const results: Record<Impl, Samples> = {};
for (const impl of order) results[impl] = { p50Us: [], p99Us: [], cpuUsPerEvent: [], informerCpuUsPerEvent: [] };
for (let r = 0; r < ROUNDS; r++) {
  // rotating order: each implementation goes first in turn (the machine's load drifts)
  for (const impl of [...order.slice(r % order.length), ...order.slice(0, r % order.length)]) {
    const l = await latency(impl);
    const t = await throughput(impl);
    const inf = await informerPath(impl);
    const into = results[impl] as Samples;
    into.p50Us.push(l.p50Us);
    into.p99Us.push(l.p99Us);
    into.cpuUsPerEvent.push(t.cpuUsPerEvent);
    into.informerCpuUsPerEvent.push(inf);
    console.log(`  round ${r + 1} ${impl.padEnd(6)} p50 ${l.p50Us} µs  p99 ${l.p99Us} µs  throughput ${t.cpuUsPerEvent} cpu µs/event (${t.msTotal} ms)  socket→handler ${inf} cpu µs/event`);
  }
}
const rows = order.map((impl) => {
  const r = results[impl] as Samples;
  return { impl, p50Us: median(r.p50Us), p99Us: median(r.p99Us), cpuUsPerEvent: median(r.cpuUsPerEvent), informerCpuUsPerEvent: median(r.informerCpuUsPerEvent) };
});
const row = (impl: Impl) => rows.find((r) => r.impl === impl);
const ratio = (a: number | undefined, b: number | undefined): number => Number(((a ?? NaN) / (b ?? NaN)).toFixed(2));
const ratios: Record<string, number> = {};
for (const impl of Object.keys(runtimes)) {
  ratios[`p50 ${impl} / floor`] = ratio(row(impl)?.p50Us, row('floor')?.p50Us);
  ratios[`p99 ${impl} / floor`] = ratio(row(impl)?.p99Us, row('floor')?.p99Us);
  ratios[`cpu/event ${impl} / floor`] = ratio(row(impl)?.cpuUsPerEvent, row('floor')?.cpuUsPerEvent);
  ratios[`socket→handler cpu/event ${impl} / floor`] = ratio(row(impl)?.informerCpuUsPerEvent, row('floor')?.informerCpuUsPerEvent);
}
if (BASELINE) {
  // paired per round: the rounds share the machine's load
  const paired = (results.opkit?.cpuUsPerEvent ?? []).map((v, i) => v / (results.base?.cpuUsPerEvent[i] ?? NaN));
  ratios['cpu/event opkit / base (median of paired rounds)'] = Number(median(paired).toFixed(2));
  const pairedInformer = (results.opkit?.informerCpuUsPerEvent ?? []).map((v, i) => v / (results.base?.informerCpuUsPerEvent[i] ?? NaN));
  ratios['socket→handler cpu/event opkit / base (median of paired rounds)'] = Number(median(pairedInformer).toFixed(2));
  ratios['p99 opkit / base'] = ratio(row('opkit')?.p99Us, row('base')?.p99Us);
}
console.log(`\nevent → reconcile in process (${EVENTS} events, median of ${ROUNDS})`);
console.table(rows);
console.log(ratios);
const out = join(here, 'results', 'event-path.json');
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, `${JSON.stringify({ date: new Date().toISOString(), node: process.version, events: EVENTS, rounds: ROUNDS, baseline: BASELINE ?? null, rows, ratios, results }, null, 2)}\n`);
console.log(`wrote ${out}`);
