/**
 * Cost of the Prometheus metrics (controller_runtime_* and workqueue_* sinks) on reconcile
 * throughput: the same controller with the manager's default Prometheus sinks ("on") and with the
 * no-op sinks ("off"), alternating order per round; best and median of rounds.
 *
 * - `in-process`: a Controller over an in-memory informer (test/support/fake-cache.ts), real clock,
 *   a reconciler that does nothing — the worst case for relative overhead, since metrics are then
 *   a large share of the per-reconcile work (queue add/get/done, reconcile id, child logger);
 * - `api`: a Manager against a real control plane (TestEnvironment): 2,000 Widgets, each needing a
 *   status write (the reconcile-throughput.bench.ts workload, concurrency 4).
 *
 * Run: `npx tsx bench/metrics-overhead.bench.ts [inProcessKeys=200000] [apiObjects=2000] [rounds=3]`.
 * Prints a table and writes JSON to bench/results/.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { KubeConfig } from '@kubernetes/client-node';
import { Namespace } from '../runtime/src/api/builtins.js';
import type { Client } from '../runtime/src/client/client.js';
import { createClient } from '../runtime/src/client/client.js';
import { createTransport } from '../runtime/src/client/transport.js';
import { controller, type ControllerHost } from '../runtime/src/controller/builder.js';
import { noopControllerMetrics, type ControllerMetrics } from '../runtime/src/controller/metrics.js';
import { silentLogger } from '../runtime/src/log/logger.js';
import { Manager, type ManagerMetricsOptions } from '../runtime/src/manager/manager.js';
import { OperatorMetrics } from '../runtime/src/metrics/metrics.js';
import { generationChanged } from '../runtime/src/predicates/predicates.js';
import { noopWorkqueueMetrics, type WorkqueueMetrics } from '../runtime/src/queue/metrics.js';
import { TestEnvironment } from '../runtime/src/testing/index.js';
import { realClock } from '../runtime/src/util/clock.js';
import { FakeCache } from '../test/support/fake-cache.js';
import { Widget, WIDGET_CRD } from '../test/support/widget.js';

const KEYS = Number(process.argv[2] ?? 200_000);
const OBJECTS = Number(process.argv[3] ?? 2_000);
const ROUNDS = Number(process.argv[4] ?? 3);
type Variant = 'on' | 'off';

interface Measurement {
  readonly scenario: 'in-process' | 'api';
  readonly variant: Variant;
  readonly round: number;
  readonly concurrency: number;
  readonly reconciles: number;
  readonly ms: number;
  readonly perSec: number;
}

function sinks(variant: Variant): { controller: ControllerMetrics; workqueue: (name: string) => WorkqueueMetrics; metrics?: OperatorMetrics } {
  if (variant === 'off') return { controller: noopControllerMetrics, workqueue: () => noopWorkqueueMetrics };
  const metrics = new OperatorMetrics();
  return { controller: metrics.controller, workqueue: (name) => metrics.workqueue(name), metrics };
}

async function inProcess(variant: Variant, concurrency: number): Promise<number> {
  const cache = new FakeCache();
  const s = sinks(variant);
  let done = 0;
  let finish: () => void = () => undefined;
  const all = new Promise<void>((r) => (finish = r));
  const host: ControllerHost = {
    cache,
    client: {} as Client,
    apiReader: {} as Client,
    eventRecorder: () => ({ event: () => undefined }),
    clock: realClock,
    logger: silentLogger,
    controllerMetrics: s.controller,
    workqueueMetrics: s.workqueue,
    namespace: undefined,
    gracefulShutdownTimeoutMs: 1_000,
    add: () => undefined,
  };
  const ctl = controller(host)
    .for(Widget)
    .concurrency(concurrency)
    .withOptions({ rateLimit: { qps: Infinity } })
    .reconcile(() => {
      if (++done === KEYS) finish();
    });
  cache.informerFor(Widget).sync();
  const abort = new AbortController();
  const running = ctl.start(abort.signal);
  const t0 = performance.now();
  for (let i = 0; i < KEYS; i++) ctl.enqueue(`ns/w${i}`);
  await all;
  const ms = performance.now() - t0;
  if (s.metrics) await s.metrics.scrape(); // the exposition must hold every series
  abort.abort();
  await running;
  return ms;
}

async function api(kubeConfig: KubeConfig, client: Client, variant: Variant, round: number): Promise<number> {
  const ns = `metrics-${variant}-${round}`;
  await client.create(Namespace, { metadata: { name: ns } });
  let next = 0;
  await Promise.all(
    Array.from({ length: 32 }, async () => {
      while (next < OBJECTS) await client.create(Widget, { metadata: { namespace: ns, name: `w${next++}` }, spec: { size: 1 } });
    }),
  );
  const metrics: ManagerMetricsOptions | undefined = variant === 'off' ? { controller: noopControllerMetrics, workqueue: () => noopWorkqueueMetrics } : undefined;
  const mgr = new Manager({ kubeConfig, namespace: ns, logger: silentLogger, ...(metrics ? { metrics } : {}) });
  let writes = 0;
  let finish: () => void = () => undefined;
  const all = new Promise<void>((r) => (finish = r));
  controller(mgr)
    .for(Widget)
    .withPredicates(generationChanged())
    .concurrency(4)
    .reconcile(async (req, ctx) => {
      const w = await ctx.client.get(Widget, req);
      if (w.status?.phase === 'Done') return;
      await ctx.client.status.patch(Widget, req, { status: { phase: 'Done' } });
      if (++writes === OBJECTS) finish();
    });
  const abort = new AbortController();
  const t0 = performance.now();
  const running = mgr.start(abort.signal);
  await Promise.race([all, running]);
  const ms = performance.now() - t0;
  abort.abort();
  await running;
  return ms;
}

async function main(): Promise<void> {
  const results: Measurement[] = [];
  const record = (m: Omit<Measurement, 'perSec'>): void => {
    const full = { ...m, ms: Math.round(m.ms), perSec: Math.round((m.reconciles / m.ms) * 1000) };
    results.push(full);
    console.log(`${m.scenario.padEnd(10)} metrics ${m.variant.padEnd(3)} round ${m.round} c=${m.concurrency}  ${String(full.ms).padStart(6)} ms  ${String(full.perSec).padStart(7)} reconciles/s`);
  };
  for (let round = 0; round < ROUNDS; round++) {
    for (const concurrency of [1, 4]) {
      const order: Variant[] = round % 2 === 0 ? ['off', 'on'] : ['on', 'off'];
      for (const variant of order) record({ scenario: 'in-process', variant, round, concurrency, reconciles: KEYS, ms: await inProcess(variant, concurrency) });
    }
  }
  if (OBJECTS > 0) {
    const env = new TestEnvironment({ crdPaths: [WIDGET_CRD] });
    const { kubeConfig } = await env.start();
    const transport = createTransport(kubeConfig);
    const client = createClient(transport);
    try {
      for (let round = 0; round < ROUNDS; round++) {
        const order: Variant[] = round % 2 === 0 ? ['off', 'on'] : ['on', 'off'];
        for (const variant of order) record({ scenario: 'api', variant, round, concurrency: 4, reconciles: OBJECTS, ms: await api(kubeConfig, client, variant, round) });
      }
    } finally {
      transport.close();
      await env.stop();
    }
  }
  const rates = (scenario: Measurement['scenario'], variant: Variant, c: number): number[] =>
    results.filter((r) => r.scenario === scenario && r.variant === variant && r.concurrency === c).map((r) => r.perSec).sort((a, b) => a - b);
  const best = (scenario: Measurement['scenario'], variant: Variant, c: number): number => Math.max(...rates(scenario, variant, c));
  const median = (scenario: Measurement['scenario'], variant: Variant, c: number): number => {
    const r = rates(scenario, variant, c);
    return r.length % 2 ? (r[(r.length - 1) / 2] ?? 0) : ((r[r.length / 2 - 1] ?? 0) + (r[r.length / 2] ?? 0)) / 2;
  };
  const rows: Array<[Measurement['scenario'], number]> = [
    ['in-process', 1],
    ['in-process', 4],
    ...(OBJECTS > 0 ? ([['api', 4]] as Array<[Measurement['scenario'], number]>) : []),
  ];
  const summary = rows.map(([scenario, c]) => ({
    scenario,
    concurrency: c,
    off: best(scenario, 'off', c),
    on: best(scenario, 'on', c),
    onOverOff: Number((best(scenario, 'on', c) / best(scenario, 'off', c)).toFixed(3)),
    medianOff: median(scenario, 'off', c),
    medianOn: median(scenario, 'on', c),
    medianOnOverOff: Number((median(scenario, 'on', c) / median(scenario, 'off', c)).toFixed(3)),
  }));
  console.table(summary);
  const out = join(dirname(fileURLToPath(import.meta.url)), 'results');
  mkdirSync(out, { recursive: true });
  const file = join(out, `metrics-overhead-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  const meta = { node: process.version, cpus: cpus().length, cpuModel: cpus()[0]?.model, loadavg: loadavg(), keys: KEYS, objects: OBJECTS, rounds: ROUNDS, unit: 'reconciles/s (best and median of rounds)' };
  writeFileSync(file, `${JSON.stringify({ benchmark: 'metrics-overhead', meta, summary, results }, null, 2)}\n`);
  console.log(`wrote ${file}`);
}

await main();
