/**
 * Initial sync: how long an informer takes from "start" to "synced" over N ConfigMaps of ~1.2 KB
 * of JSON each (default 10,000), in a real control plane (TestEnvironment, one for the whole run),
 * for each way the watcher can fetch the state (`initialList`):
 *
 * - `pagedList`: pages of 500 (`limit`/`continue`), what Opkit did before: the baseline;
 * - `list`: one unpaged consistent list (served from the watch cache by kube-apiserver ≥ 1.31);
 * - `watchList`: WatchList, the state streamed over the watch (`sendInitialEvents=true`).
 *
 * Two measurements per mode, `rounds` times (default 5), the mode order rotated every round:
 * - in-process: a fresh transport and cache in this process; wall ms and this process's CPU ms
 *   (user + system) from creating the cache to `waitForCacheSync()`;
 * - spawn: a fresh `node bench/initial-sync-child.mjs` (the built runtime, runtime/dist; run
 *   `npm run build` first): wall ms from spawn to its "synced" line, split into imports and sync,
 *   and its RSS once synced.
 * Medians are reported, with ratios to `pagedList` from the same run.
 *
 * Run: `npx tsx bench/initial-sync.bench.ts [count] [rounds]`. Prints a table and writes JSON to
 * bench/results/initial-sync.json.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { KubeConfig } from '@kubernetes/client-node';
import { ConfigMap } from '../runtime/src/api/builtins.js';
import { createCache } from '../runtime/src/cache/cache.js';
import { createClient } from '../runtime/src/client/client.js';
import { createTransport } from '../runtime/src/client/transport.js';
import { TestEnvironment } from '../runtime/src/testing/index.js';
import type { InitialListMode } from '../runtime/src/watch/watcher.js';
import { seedConfigMaps } from './support/cr-workloads.js';

const COUNT = Number(process.argv[2] ?? 10_000);
const ROUNDS = Number(process.argv[3] ?? 5);
const NAMESPACE = 'bench-sync';
const MODES: readonly InitialListMode[] = ['pagedList', 'list', 'watchList'];
const here = dirname(fileURLToPath(import.meta.url));

interface InProcess {
  readonly ms: number;
  readonly cpuMs: number;
}

async function inProcess(kubeConfig: KubeConfig, mode: InitialListMode): Promise<InProcess> {
  const cpu = process.cpuUsage();
  const t0 = performance.now();
  const transport = createTransport(kubeConfig);
  const cache = createCache({ transport, watcher: { initialList: mode } });
  const informer = cache.informerFor(ConfigMap, { namespace: NAMESPACE });
  const controller = new AbortController();
  const running = cache.start(controller.signal);
  await cache.waitForCacheSync();
  const ms = performance.now() - t0;
  const used = process.cpuUsage(cpu);
  if (informer.store.size < COUNT) throw new Error(`${mode}: synced ${informer.store.size} objects, expected ${COUNT}`);
  controller.abort();
  await running;
  transport.close();
  return { ms, cpuMs: (used.user + used.system) / 1000 };
}

interface Spawned {
  readonly ms: number;
  readonly importMs: number;
  readonly syncMs: number;
  readonly rssMiB: number;
}

function spawned(kubeconfigPath: string, mode: InitialListMode): Promise<Spawned> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, [join(here, 'initial-sync-child.mjs'), kubeconfigPath, NAMESPACE, mode], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    let result: Spawned | undefined;
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      out += chunk;
      if (result || !out.includes('\n')) return;
      const ms = performance.now() - t0;
      const line = JSON.parse(out.slice(0, out.indexOf('\n'))) as { importedMs: number; syncedMs: number; objects: number; rssMiB: number };
      if (line.objects < COUNT) return reject(new Error(`${mode} child synced ${line.objects} objects, expected ${COUNT}`));
      result = { ms, importMs: line.importedMs, syncMs: line.syncedMs - line.importedMs, rssMiB: line.rssMiB };
    });
    child.on('error', reject);
    child.on('exit', (code) => (result && code === 0 ? resolve(result) : reject(new Error(`${mode} child exited ${code}: ${out}`))));
  });
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? NaN;
};
const round1 = (x: number): number => Math.round(x * 10) / 10;

const env = new TestEnvironment();
const { kubeConfig, kubeconfigPath } = await env.start();
try {
  const transport = createTransport(kubeConfig);
  const t0 = performance.now();
  await seedConfigMaps(createClient(transport), NAMESPACE, COUNT);
  transport.close();
  console.log(`created ${COUNT} ConfigMaps in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  // one warm-up of each, so the server's watch cache and the page cache are as warm for every mode
  for (const mode of MODES) await inProcess(kubeConfig, mode);

  const samples = new Map(MODES.map((m) => [m, { inProcess: [] as InProcess[], spawned: [] as Spawned[] }]));
  for (let r = 0; r < ROUNDS; r++) {
    const order = MODES.map((_, i) => MODES[(i + r) % MODES.length] as InitialListMode);
    for (const mode of order) {
      const s = samples.get(mode);
      const a = await inProcess(kubeConfig, mode);
      const b = await spawned(kubeconfigPath, mode);
      s?.inProcess.push(a);
      s?.spawned.push(b);
      console.log(`  round ${r + 1} ${mode.padEnd(10)} in-process ${a.ms.toFixed(0)} ms (cpu ${a.cpuMs.toFixed(0)} ms)  spawn→synced ${b.ms.toFixed(0)} ms (imports ${b.importMs.toFixed(0)}, sync ${b.syncMs.toFixed(0)}, rss ${b.rssMiB.toFixed(0)} MiB)`);
    }
  }
  const rows = MODES.map((mode) => {
    const s = samples.get(mode) ?? { inProcess: [], spawned: [] };
    return {
      mode,
      inProcessMs: round1(median(s.inProcess.map((x) => x.ms))),
      inProcessCpuMs: round1(median(s.inProcess.map((x) => x.cpuMs))),
      spawnToSyncedMs: round1(median(s.spawned.map((x) => x.ms))),
      childImportMs: round1(median(s.spawned.map((x) => x.importMs))),
      childSyncMs: round1(median(s.spawned.map((x) => x.syncMs))),
      childRssMiB: round1(median(s.spawned.map((x) => x.rssMiB))),
    };
  });
  const base = rows.find((r) => r.mode === 'pagedList');
  const ratios = Object.fromEntries(
    rows
      .filter((r) => r.mode !== 'pagedList')
      .map((r) => [
        `${r.mode} / pagedList`,
        {
          inProcessMs: base ? Number((r.inProcessMs / base.inProcessMs).toFixed(2)) : NaN,
          inProcessCpuMs: base ? Number((r.inProcessCpuMs / base.inProcessCpuMs).toFixed(2)) : NaN,
          childSyncMs: base ? Number((r.childSyncMs / base.childSyncMs).toFixed(2)) : NaN,
        },
      ]),
  );
  console.log(`\nstart → synced, ${COUNT} ConfigMaps (median of ${ROUNDS})`);
  console.table(rows);
  console.log(ratios);
  const out = join(here, 'results', 'initial-sync.json');
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify({ date: new Date().toISOString(), node: process.version, objects: COUNT, rounds: ROUNDS, rows, ratios, samples: Object.fromEntries(samples) }, null, 2)}\n`);
  console.log(`wrote ${out}`);
} finally {
  await env.stop();
}
