/**
 * The workloads of bench/controller-runtime.bench.ts, each one operator process (Go
 * controller-runtime or Opkit) against the shared control plane.
 */
import { setTimeout as delay } from 'node:timers/promises';
import type { Client } from '../../runtime/src/client/client.js';
import { ConfigMap, Namespace } from '../../runtime/src/api/builtins.js';
import { throughputArgs, type Side } from './cr-sides.js';
import { OperatorProcess, processCpuMicros, type OperatorCommand } from './operator-process.js';
import { percentile } from './stats.js';

/** The two sides. */
export type Impl = 'controller-runtime' | 'opkit';
/** What the informer cache keeps of each object's `metadata.managedFields`. */
export type ManagedFields = 'keep' | 'strip';

/** Each side's default: controller-runtime keeps managedFields, Opkit strips them. */
export const DEFAULT_MANAGED_FIELDS: Readonly<Record<Impl, ManagedFields>> = { 'controller-runtime': 'keep', opkit: 'strip' };

/** What every workload needs. */
export interface WorkloadContext {
  readonly programs: Readonly<Record<Impl, OperatorCommand>>;
  /** The environment of the operator processes ($KUBECONFIG set). */
  readonly env: NodeJS.ProcessEnv;
  /** kube-apiserver's pid, for its CPU. */
  readonly apiserverPid: number | undefined;
  /** The benchmark's own client (seeding, latency writes). */
  readonly client: Client;
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

/** Creates namespace `ns` with `count` ConfigMaps of about 1 KB each (32 creates in flight). */
export async function seedConfigMaps(client: Client, ns: string, count: number): Promise<void> {
  await client.create(Namespace, { metadata: { name: ns } });
  let next = 0;
  await Promise.all(
    Array.from({ length: 32 }, async () => {
      while (next < count) {
        const i = next++;
        await client.create(ConfigMap, {
          metadata: { name: `cm-${i}`, namespace: ns, labels: { app: 'bench', shard: String(i % 16) } },
          data: { 'config.yaml': `id: ${i}\nname: cm-${i}\nblob: ${payload(i, 700)}\n`, 'extra.txt': payload(i + count, 100) },
        });
      }
    }),
  );
}

function apiserverCpu(ctx: WorkloadContext): number {
  return ctx.apiserverPid === undefined ? NaN : processCpuMicros(ctx.apiserverPid);
}

/** One throughput run. */
export interface ThroughputSample {
  /** The side's name (bench/support/cr-sides.ts: `opkit`, `controller-runtime`, `go-raw`, `node-http2`, …). */
  readonly side: string;
  readonly concurrency: number;
  readonly objects: number;
  /** Manager start → the last patch acknowledged (the initial list included). */
  readonly ms: number;
  readonly objectsPerSec: number;
  /** The program's own CPU (getrusage) from manager start (raw sides: the list's start) to the last patch, per 1000 objects. */
  readonly cpuSecPer1000: number;
  /** The kernel's (system time) share of `cpuSecPer1000`. */
  readonly systemCpuSecPer1000: number;
  /** kube-apiserver's CPU over the same span, per 1000 objects. */
  readonly apiserverCpuSecPer1000: number;
  /** The operator's CPU before the manager started (process start-up, subtracted above). */
  readonly startupCpuSec: number;
  /** CLOCK_MONOTONIC µs at manager start (the Opkit program reports it; NaN otherwise). */
  readonly startedMonoUs: number;
}

/**
 * N ConfigMaps, each reconciled once: a cached get, then one merge patch of the run annotation
 * (`run` differs per run, so every object needs exactly one patch), MaxConcurrentReconciles = c.
 * A raw side (no controller) makes the same requests: the list, the watch, c patches in flight.
 * @throws Error when the program patched another number of objects than `o.objects`.
 */
export async function throughput(
  ctx: WorkloadContext,
  side: Side,
  o: { ns: string; objects: number; concurrency: number; run: string; command?: OperatorCommand },
): Promise<ThroughputSample> {
  const proc = new OperatorProcess(o.command ?? side.command, throughputArgs(side, o), ctx.env);
  try {
    const started = await proc.event('started', 60_000);
    const api0 = apiserverCpu(ctx);
    const done = await proc.event('done', 30 * 60_000);
    const api1 = apiserverCpu(ctx);
    // every program exits on its own after "done" (a CPU profile is written then)
    await Promise.race([proc.exited(), delay(10_000)]);
    if (Number(done['objects']) !== o.objects) throw new Error(`${side.name} patched ${String(done['objects'])} objects, not ${o.objects}: is ${o.ns} seeded with exactly that many?`);
    const ms = Number(done['ms']);
    return {
      side: side.name,
      concurrency: o.concurrency,
      objects: o.objects,
      ms,
      objectsPerSec: (o.objects / ms) * 1000,
      cpuSecPer1000: (Number(done['cpuUs']) / 1e6 / o.objects) * 1000,
      systemCpuSecPer1000: (Number(done['sysUs'] ?? NaN) / 1e6 / o.objects) * 1000,
      apiserverCpuSecPer1000: ((api1 - api0) / 1e6 / o.objects) * 1000,
      startupCpuSec: Number(started['cpuUs']) / 1e6,
      startedMonoUs: typeof started['monoUs'] === 'number' ? started['monoUs'] : NaN,
    };
  } finally {
    await proc.stop();
  }
}

/** One start-to-synced run. */
export interface SyncSample {
  readonly impl: Impl;
  readonly managedFields: ManagedFields;
  readonly objects: number;
  /** spawn → the "synced" line received. */
  readonly spawnToSyncedMs: number;
  /** Inside the process: manager start → caches synced. */
  readonly startToSyncedMs: number;
  /** Live heap after two full GCs, once synced (Go HeapAlloc, Node heapUsed). */
  readonly heapBytes: number;
  /** VmRSS one second after synced. */
  readonly rssBytes: number;
}

/** Starts a manager whose cache holds one ConfigMap informer on `ns`, no controller. */
export async function startToSynced(ctx: WorkloadContext, impl: Impl, o: { ns: string; objects: number; managedFields: ManagedFields }): Promise<SyncSample> {
  const proc = new OperatorProcess(ctx.programs[impl], ['--workload', 'sync', '--namespace', o.ns, '--managed-fields', o.managedFields], ctx.env);
  try {
    const synced = await proc.event('synced', 120_000);
    await delay(1000);
    return {
      impl,
      managedFields: o.managedFields,
      objects: o.objects,
      spawnToSyncedMs: synced.at - proc.spawnedAt,
      startToSyncedMs: Number(synced['ms']),
      heapBytes: Number(synced['heapBytes']),
      rssBytes: proc.rssBytes(),
    };
  } finally {
    await proc.stop();
  }
}

/** One latency run. */
export interface LatencySample {
  readonly impl: Impl;
  readonly samples: number;
  /** write sent → reconcile began, ms. */
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** write acknowledged → reconcile began, ms (the API server's share left out; may be < 0). */
  readonly ackP50Ms: number;
  readonly ackP99Ms: number;
}

/**
 * Event → reconcile: the benchmark patches one ConfigMap's sequence annotation, one change at a
 * time with a quiet gap; the operator stamps CLOCK_MONOTONIC when the reconcile of that change
 * begins. Latency = that stamp − the moment the benchmark sent the write (same clock).
 */
export async function eventToReconcile(ctx: WorkloadContext, impl: Impl, o: { ns: string; name: string; samples: number; nextSeq: () => number; gapMs: number }): Promise<LatencySample> {
  const proc = new OperatorProcess(ctx.programs[impl], ['--workload', 'latency', '--namespace', o.ns], ctx.env);
  const sent: number[] = [];
  const acked: number[] = [];
  try {
    await proc.event('synced', 120_000);
    await delay(200);
    for (let i = 0; i < o.samples; i++) {
      const seq = o.nextSeq();
      const reconciled = proc.next((e) => e.event === 'reconciled' && e['seq'] === seq, 10_000);
      const t0 = process.hrtime.bigint();
      await ctx.client.patch(ConfigMap, { namespace: o.ns, name: o.name }, { metadata: { annotations: { 'bench.opkit.dev/seq': String(seq) } } });
      const t1 = process.hrtime.bigint();
      const at = BigInt(Number((await reconciled)['mono']));
      sent.push(Number(at - t0) / 1e6);
      acked.push(Number(at - t1) / 1e6);
      await delay(o.gapMs);
    }
  } finally {
    await proc.stop();
  }
  return {
    impl,
    samples: sent.length,
    p50Ms: percentile(sent, 50),
    p99Ms: percentile(sent, 99),
    ackP50Ms: percentile(acked, 50),
    ackP99Ms: percentile(acked, 99),
  };
}
