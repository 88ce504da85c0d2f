/**
 * The Opkit side of bench/controller-runtime.bench.ts: one workload per process, the same ones as
 * bench/go (controller-runtime), printing the same JSON lines on stdout:
 *
 * - `{"event":"started","cpuUs":…,"monoUs":…}` the manager is about to start (CPU and time marks
 *   taken here);
 * - `{"event":"synced","ms":…,"cpuUs":…,"heapBytes"?:…}` the caches have synced;
 * - `{"event":"done","ms":…,"cpuUs":…,"sysUs":…,"objects":…}` the throughput workload finished
 *   (`sysUs`: the kernel's share of `cpuUs`);
 * - `{"event":"reconciled","name":…,"seq":…,"mono":…}` latency: a stamped change was reconciled
 *   (`mono`: CLOCK_MONOTONIC in ns, the clock Go's side reads too).
 *
 * It imports the built `@opkit/runtime` (runtime/dist), as an operator does; the benchmark
 * transpiles this file once and runs it with plain `node`, so neither tsx nor a TypeScript compiler
 * is in the measured process. The kubeconfig comes from `$KUBECONFIG`.
 *
 * Usage: `node opkit-operator.mjs --workload throughput|sync|latency --namespace NS
 *   [--count N --run ID] [--concurrency N] [--managed-fields strip|keep]`
 */
import { parseArgs } from 'node:util';
import { ConfigMap, controller, isNotFound, loadKubeConfig, Manager, type KubeObject, type Logger, type ReconcileContext, type Request } from '@opkit/runtime';

const RUN_ANNOTATION = 'bench.opkit.dev/run';
const SEQ_ANNOTATION = 'bench.opkit.dev/seq';

const { values } = parseArgs({
  options: {
    workload: { type: 'string' },
    namespace: { type: 'string' },
    count: { type: 'string', default: '0' },
    concurrency: { type: 'string', default: '1' },
    run: { type: 'string', default: '' },
    'managed-fields': { type: 'string', default: 'strip' },
  },
});
const workload = values.workload ?? '';
const namespace = values.namespace ?? '';
const count = Number(values.count);
const concurrency = Number(values.concurrency);
const run = values.run ?? '';
const managedFields = values['managed-fields'];
if (namespace === '') usage('--namespace is required');
if (!['throughput', 'sync', 'latency'].includes(workload)) usage(`--workload must be throughput, sync or latency, not "${workload}"`);
if (workload === 'throughput' && (!(count > 0) || run === '')) usage('the throughput workload needs --count > 0 and --run');
if (managedFields !== 'strip' && managedFields !== 'keep') usage(`--managed-fields must be strip (Opkit's default) or keep, not "${managedFields}"`);
const gc = (globalThis as { gc?: () => void }).gc;
if (workload === 'sync' && !gc) usage('the sync workload reports the heap: run node with --expose-gc');

function usage(message: string): never {
  process.stderr.write(`opkit-operator: ${message}\n`);
  process.exit(2);
}

function emit(fields: Record<string, unknown>): void {
  // stdout is a pipe: writes are synchronous on Linux, so a line is out before process.exit
  process.stdout.write(`${JSON.stringify(fields)}\n`);
}

/** User + system CPU of this process so far, in µs (getrusage via libuv). */
function cpuMicros(): number {
  const u = process.resourceUsage();
  return u.userCPUTime + u.systemCPUTime;
}

function heapBytes(): number {
  gc?.();
  gc?.();
  return process.memoryUsage().heapUsed;
}

let onSynced: () => void = () => undefined;
const logger: Logger = {
  debug: () => undefined,
  info: (msg) => {
    if (msg.startsWith('Caches synced')) onSynced();
  },
  warn: () => undefined,
  error: (msg, fields) => process.stderr.write(`${msg} ${String(fields?.['err'] ?? '')}\n`),
  child: () => logger,
  // debug is off, as controller-runtime's logr.Discard() is on the Go side
  isLevelEnabled: (level) => level !== 'debug',
};

// as a generated operator does: KUBECONFIG, else the pod's service account, else ~/.kube/config
const kubeConfig = await loadKubeConfig({ env: process.env });
const mgr = new Manager({
  kubeConfig,
  namespace,
  logger,
  ...(managedFields === 'keep' ? { cache: { transform: (o: KubeObject) => o } } : {}),
});

const abort = new AbortController();
process.once('SIGTERM', () => abort.abort());
process.once('SIGINT', () => abort.abort());

let patched = 0;
let finish: () => void = () => undefined;
const finished = new Promise<void>((resolve) => (finish = resolve));
const lastSeq = new Map<string, string>();

async function reconcileThroughput(req: Request, ctx: ReconcileContext): Promise<void> {
  let cm;
  try {
    cm = await ctx.client.get(ConfigMap, req);
  } catch (err) {
    if (isNotFound(err)) return;
    throw err;
  }
  if (cm.metadata?.annotations?.[RUN_ANNOTATION] === run) return;
  await ctx.client.patch(ConfigMap, req, { metadata: { annotations: { [RUN_ANNOTATION]: run } } });
  if (++patched === count) finish();
}

async function reconcileLatency(req: Request, ctx: ReconcileContext): Promise<void> {
  const now = process.hrtime.bigint();
  let cm;
  try {
    cm = await ctx.client.get(ConfigMap, req);
  } catch (err) {
    if (isNotFound(err)) return;
    throw err;
  }
  const seq = cm.metadata?.annotations?.[SEQ_ANNOTATION] ?? '';
  if (seq === '' || lastSeq.get(req.name) === seq) return;
  lastSeq.set(req.name, seq);
  emit({ event: 'reconciled', name: req.name, seq: Number(seq), mono: Number(now) });
}

if (workload === 'sync') {
  // only the cache: one ConfigMap informer, no controller (its queue would be counted too)
  mgr.cache.informerFor(ConfigMap, { namespace });
} else {
  controller(mgr)
    .for(ConfigMap)
    .named('bench')
    .concurrency(concurrency)
    .reconcile(workload === 'throughput' ? reconcileThroughput : reconcileLatency);
}

const startCpu = cpuMicros();
const startSys = process.resourceUsage().systemCPUTime;
const started = performance.now();
onSynced = () => {
  const synced: Record<string, unknown> = { event: 'synced', ms: performance.now() - started, cpuUs: cpuMicros() - startCpu };
  if (workload !== 'sync') return emit(synced);
  // measured once the sync's own call chain has returned: its frames still hold the list answer
  setImmediate(() => {
    synced['heapBytes'] = heapBytes();
    emit(synced);
  });
};
// monoUs: CLOCK_MONOTONIC, the clock of `node --cpu-prof` profiles, so a profile can leave start-up out
emit({ event: 'started', cpuUs: startCpu, monoUs: Number(process.hrtime.bigint() / 1000n) });
const running = mgr.start(abort.signal);
if (workload === 'throughput') {
  await Promise.race([finished, running]);
  emit({ event: 'done', ms: performance.now() - started, cpuUs: cpuMicros() - startCpu, sysUs: process.resourceUsage().systemCPUTime - startSys, objects: count });
  process.exit(0);
}
try {
  await running;
} catch (err) {
  process.stderr.write(`opkit-operator: ${String(err)}\n`);
  process.exitCode = 1;
}
