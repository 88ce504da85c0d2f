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
 *   (this process's user + system) until every key's last event was reconciled.
 *
 * Baseline in the same run, rotating order: `floor`, the least any implementation must do — the
 * same lines through `JSON.parse`, a Map keyed by namespace/name and a direct call of the same
 * reconciler (no cache, no queue, no dedupe). Reported as opkit / floor.
 *
 * It runs the built runtime (runtime/dist, as an operator does; `npm run build` first): under tsx,
 * every closure the runtime creates per event would also pay for tsx's function-name helper.
 *
 * Run: `npx tsx bench/event-path.bench.ts [events] [rounds]`; `node --cpu-prof --import tsx …` to
 * profile. Writes JSON to bench/results/event-path.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { KubeConfig } from '@kubernetes/client-node';
import { ConfigMap } from '../runtime/dist/api/builtins.js';
import { createCache } from '../runtime/dist/cache/cache.js';
import type { Transport, TransportRequest } from '../runtime/dist/client/transport.js';
import { controller } from '../runtime/dist/controller/builder.js';
import { silentLogger } from '../runtime/dist/log/logger.js';
import { Manager } from '../runtime/dist/manager/manager.js';

const EVENTS = Number(process.argv[2] ?? 3000);
const ROUNDS = Number(process.argv[3] ?? 5);
const KEYS = 500;
const NAMESPACE = 'bench';

/** One watch connection's lines, pushed by the bench. */
class Lines implements AsyncIterableIterator<string> {
  readonly #queue: string[] = [];
  #wake: (() => void) | undefined;
  #ended = false;
  push(line: string): void {
    this.#queue.push(line);
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }
  end(): void {
    this.#ended = true;
    this.#wake?.();
  }
  async next(): Promise<IteratorResult<string>> {
    for (;;) {
      const line = this.#queue.shift();
      if (line !== undefined) return { done: false, value: line };
      if (this.#ended) return { done: true, value: undefined };
      await new Promise<void>((resolve) => (this.#wake = resolve));
    }
  }
  async return(): Promise<IteratorResult<string>> {
    this.end();
    return { done: true, value: undefined };
  }
  [Symbol.asyncIterator](): this {
    return this;
  }
}

/** An API server in memory: an empty list at resourceVersion 1, then whatever the bench pushes. */
class InMemoryTransport implements Transport {
  lines: Lines | undefined;
  #opened: (() => void) | undefined;
  readonly opened = new Promise<void>((resolve) => (this.#opened = resolve));
  async request<T>(_req: TransportRequest): Promise<T> {
    return { items: [], metadata: { resourceVersion: '1' } } as T;
  }
  stream(req: TransportRequest): AsyncIterable<string> {
    const lines = new Lines();
    this.lines = lines;
    req.signal?.addEventListener('abort', () => lines.end(), { once: true });
    req.onOpen?.();
    this.#opened?.();
    return lines;
  }
  close(): void {
    this.lines?.end();
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

async function startOpkit(onReconcile: Reconciled): Promise<Harness> {
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
    push: (text) => transport.lines?.push(text),
    stop: async () => {
      ctl.abort();
      await running;
    },
  };
}

async function startFloor(onReconcile: Reconciled): Promise<Harness> {
  const lines = new Lines();
  const store = new Map<string, unknown>();
  const reconcile = async (name: string): Promise<void> => void onReconcile(name);
  const loop = (async () => {
    for await (const text of lines) {
      const event = JSON.parse(text) as { object: { metadata: { namespace: string; name: string } } };
      const { namespace, name } = event.object.metadata;
      store.set(`${namespace}/${name}`, event.object);
      await reconcile(name);
    }
  })();
  return {
    push: (text) => lines.push(text),
    stop: async () => {
      lines.end();
      await loop;
    },
  };
}

const IMPLS = { opkit: startOpkit, floor: startFloor } as const;
type Impl = keyof typeof IMPLS;

async function latency(impl: Impl): Promise<{ p50Us: number; p99Us: number }> {
  let waiting: { name: string; resolve: () => void } | undefined;
  let sentAt = 0;
  const samples: number[] = [];
  const h = await IMPLS[impl]((name) => {
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
  const h = await IMPLS[impl]((name) => {
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

const results: Record<Impl, { p50Us: number[]; p99Us: number[]; cpuUsPerEvent: number[] }> = {
  opkit: { p50Us: [], p99Us: [], cpuUsPerEvent: [] },
  floor: { p50Us: [], p99Us: [], cpuUsPerEvent: [] },
};
const order: Impl[] = ['opkit', 'floor'];
for (let r = 0; r < ROUNDS; r++) {
  for (const impl of r % 2 === 0 ? order : [...order].reverse()) {
    const l = await latency(impl);
    const t = await throughput(impl);
    results[impl].p50Us.push(l.p50Us);
    results[impl].p99Us.push(l.p99Us);
    results[impl].cpuUsPerEvent.push(t.cpuUsPerEvent);
    console.log(`  round ${r + 1} ${impl.padEnd(6)} p50 ${l.p50Us} µs  p99 ${l.p99Us} µs  throughput ${t.cpuUsPerEvent} cpu µs/event (${t.msTotal} ms)`);
  }
}
const rows = order.map((impl) => ({ impl, p50Us: median(results[impl].p50Us), p99Us: median(results[impl].p99Us), cpuUsPerEvent: median(results[impl].cpuUsPerEvent) }));
const [o, f] = rows;
const ratios = o && f ? { 'p50 opkit / floor': Number((o.p50Us / f.p50Us).toFixed(2)), 'p99 opkit / floor': Number((o.p99Us / f.p99Us).toFixed(2)), 'cpu/event opkit / floor': Number((o.cpuUsPerEvent / f.cpuUsPerEvent).toFixed(2)) } : {};
console.log(`\nevent → reconcile in process (${EVENTS} events, median of ${ROUNDS})`);
console.table(rows);
console.log(ratios);
const out = join(dirname(fileURLToPath(import.meta.url)), 'results', 'event-path.json');
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, `${JSON.stringify({ date: new Date().toISOString(), node: process.version, events: EVENTS, rounds: ROUNDS, rows, ratios, results }, null, 2)}\n`);
console.log(`wrote ${out}`);
