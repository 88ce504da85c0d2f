/**
 * Opkit against Go controller-runtime, side by side on one real control plane (TestEnvironment).
 * Each side is its own operator process (bench/go: controller-runtime, built from Go modules and
 * cached; bench/operator/opkit-operator.ts: Opkit, run with plain node), so spawn time, RSS and
 * CPU (each process's own getrusage) compare like for like. Per round, in rotating order:
 *
 * - throughput: N ConfigMaps (default 2,000), a cached get plus one merge patch of an annotation
 *   each, at MaxConcurrentReconciles 1, 4 and 16; objects/s from manager start to the last patch,
 *   CPU per 1000 objects with the process's start-up subtracted, kube-apiserver's CPU. Beside the
 *   two operators, the floor (`--sides`, bench/support/cr-sides.ts): the same requests without a
 *   controller from client-go alone (bench/go raw), from Node's node:http2 and node:https alone
 *   (bench/operator/node-raw.ts) and through Opkit's transport, client and watcher
 *   (bench/operator/opkit-raw.ts); and any Node side again on Node 24 (`opkit@node24`);
 * - sync: spawn → caches synced with 10,000 ConfigMaps and with none, RSS, and heap bytes per
 *   cached object with managedFields kept and stripped, for both sides;
 * - latency: event → reconcile p50/p99, one change at a time.
 *
 * Medians per side and paired (same-round) ratios go to bench/results/controller-runtime.json and
 * .md; `--docs` also rewrites the table in docs/performance.md. `--with-cli` then waits (at most
 * 150 s) for the 1-minute load average to fall below 1, runs bench/cli-startup.bench.ts
 * (`--cli-runs` runs per command, default 11) and adds the CLI and type-generation targets, so
 * the whole issue-14 table comes from one run. `--profile` adds one
 * more run at c=4 under `node --cpu-prof` per `--profile-sides` side (default the Opkit operator
 * and the minimal node:http2 program) and reports where their CPU goes, side by side.
 *
 * Run (after `npm run build`): `npx tsx bench/controller-runtime.bench.ts [--rounds 5]
 *   [--objects 2000] [--sync-objects 10000] [--latency-samples 200]
 *   [--workloads throughput,sync,latency] [--sides go-raw,node-http2,…] [--with-cli]
 *   [--profile] [--profile-sides opkit,node-http2] [--docs]`
 * The first run builds the Go baseline (minutes); later runs reuse it from ~/.cache/opkit/bench.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createClient } from '../runtime/src/client/client.js';
import { createTransport } from '../runtime/src/client/transport.js';
import { TestEnvironment } from '../runtime/src/testing/index.js';
import { markdown, summarize, type InRound, type RunFacts, type Samples } from './support/cr-report.js';
import {
  eventToReconcile,
  seedConfigMaps,
  startToSynced,
  throughput,
  type Impl,
  type LatencySample,
  type SyncSample,
  type ThroughputSample,
  type WorkloadContext,
} from './support/cr-workloads.js';
import { measureCli, settle } from './support/cli-targets.js';
import { summarizeProfile } from './support/cpu-profile.js';
import { resolveSides, roundOrder, SIDE_NAMES, type Side } from './support/cr-sides.js';
import type { SideProfile } from './support/cr-floor.js';
import { findProcessWithArg } from './support/operator-process.js';
import { clientGoVersion, controllerRuntimeVersion, goBaseline, opkitProgram, repoRoot } from './support/programs.js';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '5' },
    objects: { type: 'string', default: '2000' },
    'sync-objects': { type: 'string', default: '10000' },
    'latency-samples': { type: 'string', default: '200' },
    workloads: { type: 'string', default: 'throughput,sync,latency' },
    docs: { type: 'boolean', default: false },
    'with-cli': { type: 'boolean', default: false },
    profile: { type: 'boolean', default: false },
    sides: { type: 'string', default: SIDE_NAMES.join(',') },
    'profile-sides': { type: 'string', default: 'opkit,node-http2' },
    'cli-runs': { type: 'string', default: '11' },
  },
});
const ROUNDS = Number(values.rounds);
const OBJECTS = Number(values.objects);
const SYNC_OBJECTS = Number(values['sync-objects']);
const LATENCY_SAMPLES = Number(values['latency-samples']);
const WORKLOADS = new Set((values.workloads ?? '').split(','));
for (const w of WORKLOADS) if (!['throughput', 'sync', 'latency'].includes(w)) throw new Error(`unknown workload "${w}"; pick from throughput, sync, latency`);
for (const [name, v] of [['rounds', ROUNDS], ['objects', OBJECTS], ['sync-objects', SYNC_OBJECTS], ['latency-samples', LATENCY_SAMPLES]] as const) {
  if (!Number.isInteger(v) || v <= 0) throw new Error(`--${name} must be a positive integer, not "${v}"`);
}
const CONCURRENCIES = [1, 4, 16] as const;
const NS = { throughput: 'bench-throughput', synced: 'bench-sync', empty: 'bench-empty', latency: 'bench-latency' } as const;

const programs: Record<Impl, WorkloadContext['programs'][Impl]> = { 'controller-runtime': { command: await goBaseline(), args: ['operator'] }, opkit: opkitProgram('opkit-operator') };
const goVersion = execFileSync('go', ['version'], { encoding: 'utf8' }).trim().replace(/^go version /, '');
const sides: Side[] = WORKLOADS.has('throughput') ? await resolveSides(values.sides ?? '', () => goBaseline(), goVersion) : [];
const profiled: Side[] = [];
if (values.profile && WORKLOADS.has('throughput')) {
  for (const name of (values['profile-sides'] ?? '').split(',').filter((n) => n !== '')) {
    const side = sides.find((s) => s.name === name);
    if (!side || side.runtime.startsWith('go')) throw new Error(`--profile-sides: "${name}" is not a Node side of --sides (${sides.map((s) => s.name).join(', ')})`);
    profiled.push(side);
  }
}

const env = new TestEnvironment();
const started = await env.start();
const transport = createTransport(started.kubeConfig);
const client = createClient(transport);
const samples: { throughput: Array<InRound<ThroughputSample>>; sync: Array<InRound<SyncSample>>; latency: Array<InRound<LatencySample>> } = {
  throughput: [],
  sync: [],
  latency: [],
};
const loadAverages: number[] = [];
const profiles: SideProfile[] = [];
let kubernetes = 'unknown';
try {
  kubernetes = (await transport.request<{ gitVersion: string }>({ method: 'GET', path: '/version' })).gitVersion;
  const ctx: WorkloadContext = {
    programs,
    env: { ...process.env, KUBECONFIG: started.kubeconfigPath },
    apiserverPid: findProcessWithArg(`--secure-port=${new URL(started.server).port}`),
    client,
  };
  if (ctx.apiserverPid === undefined) console.warn('kube-apiserver not found in /proc: its CPU is not reported');
  let t = performance.now();
  if (WORKLOADS.has('throughput')) await seedConfigMaps(client, NS.throughput, OBJECTS);
  if (WORKLOADS.has('sync')) {
    await seedConfigMaps(client, NS.synced, SYNC_OBJECTS);
    await seedConfigMaps(client, NS.empty, 0);
  }
  if (WORKLOADS.has('latency')) await seedConfigMaps(client, NS.latency, 1);
  console.log(`seeded in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  let seq = 0;
  for (let round = 0; round < ROUNDS; round++) {
    loadAverages.push(loadavg()[0] ?? NaN);
    const order: Impl[] = round % 2 === 0 ? ['controller-runtime', 'opkit'] : ['opkit', 'controller-runtime'];
    t = performance.now();
    if (WORKLOADS.has('throughput')) {
      for (const concurrency of CONCURRENCIES) {
        for (const side of roundOrder(sides, round)) {
          const s = await throughput(ctx, side, { ns: NS.throughput, objects: OBJECTS, concurrency, run: `r${round}-c${concurrency}-${side.name}` });
          samples.throughput.push({ ...s, round });
          console.log(`round ${round} throughput c=${String(concurrency).padEnd(2)} ${side.name.padEnd(18)} ${s.objectsPerSec.toFixed(0).padStart(5)} objects/s  cpu ${s.cpuSecPer1000.toFixed(2)} s/1000  apiserver ${s.apiserverCpuSecPer1000.toFixed(2)} s/1000`);
        }
      }
    }
    if (WORKLOADS.has('sync')) {
      for (const [ns, objects] of [[NS.empty, 0], [NS.synced, SYNC_OBJECTS]] as const) {
        for (const managedFields of ['keep', 'strip'] as const) {
          for (const impl of order) {
            const s = await startToSynced(ctx, impl, { ns, objects, managedFields });
            samples.sync.push({ ...s, round });
            console.log(
              `round ${round} sync ${String(objects).padStart(5)} managedFields ${managedFields.padEnd(5)} ${impl.padEnd(18)} spawn→synced ${s.spawnToSyncedMs.toFixed(0).padStart(5)} ms  inside ${s.startToSyncedMs.toFixed(0).padStart(5)} ms  RSS ${(s.rssBytes / 2 ** 20).toFixed(1)} MiB  heap ${(s.heapBytes / 2 ** 20).toFixed(1)} MiB`,
            );
          }
        }
      }
    }
    if (WORKLOADS.has('latency')) {
      for (const impl of order) {
        const s = await eventToReconcile(ctx, impl, { ns: NS.latency, name: 'cm-0', samples: LATENCY_SAMPLES, nextSeq: () => ++seq, gapMs: 10 });
        samples.latency.push({ ...s, round });
        console.log(`round ${round} latency ${impl.padEnd(18)} p50 ${s.p50Ms.toFixed(2)} ms  p99 ${s.p99Ms.toFixed(2)} ms  (from ack: p99 ${s.ackP99Ms.toFixed(2)} ms)`);
      }
    }
    console.log(`round ${round} took ${((performance.now() - t) / 1000).toFixed(0)} s (load average ${loadAverages[round]?.toFixed(1)})`);
  }
  for (const side of profiled) {
    const dir = mkdtempSync(join(tmpdir(), 'opkit-bench-profile-'));
    const command = { command: side.command.command, args: ['--cpu-prof', `--cpu-prof-dir=${dir}`, ...side.command.args] };
    const s = await throughput(ctx, side, { ns: NS.throughput, objects: OBJECTS, concurrency: 4, run: `profile-c4-${side.name}`, command });
    const p: SideProfile = { side: side.name, label: side.label, concurrency: 4, objects: OBJECTS, objectsPerSec: s.objectsPerSec, cpuSecPer1000: s.cpuSecPer1000, ...summarizeProfile(dir, s.startedMonoUs) };
    profiles.push(p);
    rmSync(dir, { recursive: true, force: true });
    console.log(`profile of one ${side.name} run at c=4 (${s.objectsPerSec.toFixed(0)} objects/s, ${((p.busyMs / OBJECTS) * 1000).toFixed(0)} ms busy per 1000, not counted above):`);
    for (const share of p.shares.slice(0, 12)) console.log(`  ${share.percent.toFixed(1).padStart(5)} %  ${share.group}`);
  }
} finally {
  transport.close();
  await env.stop();
}

// the CLI and typegen rows of the table, measured after the control plane stopped and the
// machine settled (see settle)
if (values['with-cli']) console.log(`CLI rows: waited for a 1-minute load average below 1; it is ${(await settle()).toFixed(2)}`);
const cli = values['with-cli'] ? measureCli(repoRoot, Number(values['cli-runs'])) : undefined;
const all: Samples = samples;
const sideFacts = sides.map(({ name, label, kind, runtime }) => ({ name, label, kind, runtime }));
const summary = summarize(all, SYNC_OBJECTS, cli?.rows, sideFacts);
const facts: RunFacts = {
  date: new Date().toISOString(),
  rounds: ROUNDS,
  objects: OBJECTS,
  syncObjects: SYNC_OBJECTS,
  latencySamples: LATENCY_SAMPLES,
  controllerRuntime: controllerRuntimeVersion(),
  clientGo: clientGoVersion(),
  kubernetes,
  node: process.version,
  go: goVersion,
  cpus: cpus().length,
  loadAverages,
  sides: sideFacts,
  ...(profiles.length > 0 ? { profiles } : {}),
  ...(cli ? { cliLoad: { before: cli.loadBefore, after: cli.loadAfter, floorMs: cli.floorMs } } : {}),
};
const table = markdown(summary, facts);
console.log(`\n${table}`);
const outDir = join(repoRoot, 'bench', 'results');
mkdirSync(outDir, { recursive: true });
writeFileSync(join(outDir, 'controller-runtime.json'), `${JSON.stringify({ benchmark: 'controller-runtime', facts, summary, samples }, null, 2)}\n`);
writeFileSync(join(outDir, 'controller-runtime.md'), `# Opkit vs controller-runtime\n\n${table}`);
console.log(`wrote bench/results/controller-runtime.json and .md`);
if (values.docs) {
  const docs = join(repoRoot, 'docs', 'performance.md');
  const text = readFileSync(docs, 'utf8');
  const begin = '<!-- controller-runtime table: begin (written by bench/controller-runtime.bench.ts --docs) -->';
  const end = '<!-- controller-runtime table: end -->';
  const from = text.indexOf(begin);
  const to = text.indexOf(end);
  if (from < 0 || to < from) throw new Error(`docs/performance.md has no "${begin}" … "${end}" block to replace`);
  writeFileSync(docs, `${text.slice(0, from + begin.length)}\n${table}\n${text.slice(to)}`);
  console.log('updated docs/performance.md');
}
