/**
 * The summary and markdown table of bench/controller-runtime.bench.ts: medians per side and
 * paired (same-round) Opkit / controller-runtime ratios, with the issue's targets.
 */
import type { CliRow } from './cli-targets.js';
import type { Impl, LatencySample, ManagedFields, SyncSample, ThroughputSample } from './cr-workloads.js';
import { DEFAULT_MANAGED_FIELDS } from './cr-workloads.js';
import { floorSummary, floorMarkdown, profilesMarkdown, type FloorSummary, type SideFacts, type SideProfile } from './cr-floor.js';
import { median, pairedRatio, round } from './stats.js';

/** A sample tagged with its round. */
export type InRound<T> = T & { readonly round: number };

/** Every sample of a run. */
export interface Samples {
  readonly throughput: ReadonlyArray<InRound<ThroughputSample>>;
  readonly sync: ReadonlyArray<InRound<SyncSample>>;
  readonly latency: ReadonlyArray<InRound<LatencySample>>;
}

/** A metric on both sides with the paired ratio Opkit / controller-runtime. */
export interface Compared {
  readonly controllerRuntime: number;
  readonly opkit: number;
  /** Median over rounds of (Opkit / controller-runtime) of the same round; min–max beside it. */
  readonly ratio: { readonly median: number; readonly min: number; readonly max: number; readonly pairs: number };
}

function compare<T extends { round: number; impl?: Impl; side?: string }>(samples: readonly T[], value: (s: T) => number): Compared {
  const side = (impl: Impl): Map<number, number> => new Map(samples.filter((s) => (s.side ?? s.impl) === impl).map((s) => [s.round, value(s)]));
  const cr = side('controller-runtime');
  const ok = side('opkit');
  return { controllerRuntime: median([...cr.values()]), opkit: median([...ok.values()]), ratio: pairedRatio(ok, cr) };
}

/** The summary written to the JSON result and rendered as the table. */
export interface Summary {
  readonly throughput: ReadonlyArray<{ concurrency: number; objectsPerSec: Compared; cpuSecPer1000: Compared; apiserverCpuSecPer1000: Compared }>;
  readonly sync?: {
    readonly spawnToSynced: Compared;
    readonly startToSynced: Compared;
    readonly spawnToSyncedEmpty: Compared;
    readonly rssEmptyMiB: Compared;
    readonly rssSyncedMiB: Compared;
    readonly heapBytesPerObject: Readonly<Record<ManagedFields, Compared>>;
  };
  readonly latency?: { readonly p50Ms: Compared; readonly p99Ms: Compared; readonly ackP99Ms: Compared };
  /** Every throughput side against controller-runtime, and the floor's derived rows. */
  readonly floor?: FloorSummary;
  /** bench/cli-startup.bench.ts's commands, when run with `--with-cli`. */
  readonly cli?: readonly CliRow[];
  readonly targets: ReadonlyArray<{ readonly target: string; readonly value: string; readonly met: boolean }>;
}

/** Medians, paired ratios and the issue's targets, from every sample. */
export function summarize(samples: Samples, syncObjects: number, cli?: readonly CliRow[], sides: readonly SideFacts[] = []): Summary {
  const concurrencies = [...new Set(samples.throughput.map((s) => s.concurrency))].sort((a, b) => a - b);
  const throughput = concurrencies.map((c) => {
    const at = samples.throughput.filter((s) => s.concurrency === c);
    return {
      concurrency: c,
      objectsPerSec: compare(at, (s) => s.objectsPerSec),
      cpuSecPer1000: compare(at, (s) => s.cpuSecPer1000),
      apiserverCpuSecPer1000: compare(at, (s) => s.apiserverCpuSecPer1000),
    };
  });
  const hasBoth = (['opkit', 'controller-runtime'] as const).every((x) => samples.throughput.some((s) => s.side === x));
  const targets: Array<{ target: string; value: string; met: boolean }> = [];
  for (const t of hasBoth ? throughput : []) {
    targets.push({ target: `throughput Opkit / controller-runtime ≥ 1.0 at c=${t.concurrency}`, value: fmt(t.objectsPerSec.ratio.median, 2), met: t.objectsPerSec.ratio.median >= 1 });
  }
  for (const t of hasBoth ? throughput : []) {
    targets.push({ target: `CPU per 1000 reconciles ≤ 1.3× controller-runtime's at c=${t.concurrency}`, value: `${fmt(t.cpuSecPer1000.ratio.median, 2)}×`, met: t.cpuSecPer1000.ratio.median <= 1.3 });
  }
  let sync: Summary['sync'];
  if (samples.sync.length > 0) {
    const defaults = samples.sync.filter((s) => s.managedFields === DEFAULT_MANAGED_FIELDS[s.impl]);
    const full = defaults.filter((s) => s.objects > 0);
    const empty = defaults.filter((s) => s.objects === 0);
    const perObject = (mf: ManagedFields): Compared => {
      const rows: Array<{ round: number; impl: Impl; bytes: number }> = [];
      for (const s of samples.sync.filter((x) => x.managedFields === mf && x.objects > 0)) {
        const base = samples.sync.find((x) => x.round === s.round && x.impl === s.impl && x.managedFields === mf && x.objects === 0);
        if (base) rows.push({ round: s.round, impl: s.impl, bytes: (s.heapBytes - base.heapBytes) / s.objects });
      }
      return compare(rows, (r) => r.bytes);
    };
    sync = {
      spawnToSynced: compare(full, (s) => s.spawnToSyncedMs),
      startToSynced: compare(full, (s) => s.startToSyncedMs),
      spawnToSyncedEmpty: compare(empty, (s) => s.spawnToSyncedMs),
      rssEmptyMiB: compare(empty, (s) => s.rssBytes / 2 ** 20),
      rssSyncedMiB: compare(full, (s) => s.rssBytes / 2 ** 20),
      heapBytesPerObject: { keep: perObject('keep'), strip: perObject('strip') },
    };
    targets.push({ target: `spawn → synced with ${syncObjects} objects ≤ 1.5× controller-runtime's`, value: `${fmt(sync.spawnToSynced.ratio.median, 2)}×`, met: sync.spawnToSynced.ratio.median <= 1.5 });
    targets.push({ target: 'empty RSS ≤ 60 MiB', value: `${fmt(sync.rssEmptyMiB.opkit, 1)} MiB`, met: sync.rssEmptyMiB.opkit <= 60 });
    for (const mf of ['keep', 'strip'] as const) {
      const c = sync.heapBytesPerObject[mf];
      targets.push({ target: `cache bytes per object ≤ controller-runtime's, managedFields ${mf === 'keep' ? 'kept' : 'stripped'} by both`, value: `${fmt(c.opkit)} vs ${fmt(c.controllerRuntime)} (${fmt(c.ratio.median, 2)}×)`, met: c.ratio.median <= 1 });
    }
  }
  let latency: Summary['latency'];
  if (samples.latency.length > 0) {
    latency = {
      p50Ms: compare(samples.latency, (s) => s.p50Ms),
      p99Ms: compare(samples.latency, (s) => s.p99Ms),
      ackP99Ms: compare(samples.latency, (s) => s.ackP99Ms),
    };
    targets.push({ target: 'event → reconcile p99 ≤ 1.2× controller-runtime\'s', value: `${fmt(latency.p99Ms.ratio.median, 2)}×`, met: latency.p99Ms.ratio.median <= 1.2 });
  }
  for (const row of cli ?? []) {
    if (row.targetMs !== undefined) {
      const mb = row.targetMb === undefined ? '' : ` and ≤ ${row.targetMb} MB`;
      const met = row.medianMs <= row.targetMs && (row.targetMb === undefined || row.rssMb <= row.targetMb);
      targets.push({ target: `\`${row.command}\` ≤ ${row.targetMs} ms${mb}`, value: `${fmt(row.medianMs)} ms, ${fmt(row.rssMb)} MB`, met });
    }
  }
  const floor = sides.length > 0 ? floorSummary(samples.throughput, sides) : undefined;
  return { throughput: hasBoth ? throughput : [], ...(floor ? { floor } : {}), ...(sync ? { sync } : {}), ...(latency ? { latency } : {}), ...(cli ? { cli } : {}), targets };
}

function fmt(x: number, digits = 0): string {
  return Number.isFinite(x) ? round(x, digits).toFixed(digits) : '–';
}

function ratioCell(c: Compared, digits = 2): string {
  const r = c.ratio;
  if (r.pairs === 0) return '–';
  return `${fmt(r.median, digits)} [${fmt(r.min, digits)}–${fmt(r.max, digits)}]`;
}

/** What the table's header says about the run. */
export interface RunFacts {
  readonly date: string;
  readonly rounds: number;
  readonly objects: number;
  readonly syncObjects: number;
  readonly latencySamples: number;
  readonly controllerRuntime: string;
  readonly clientGo: string;
  readonly kubernetes: string;
  readonly node: string;
  readonly go: string;
  readonly cpus: number;
  /** 1-minute load averages at the start of each round. */
  readonly loadAverages: readonly number[];
  /** Load averages (1, 5, 15 min) before and after the CLI runs, with `--with-cli`. */
  readonly cliLoad?: { readonly before: string; readonly after: string; readonly floorMs: number };
  /** The throughput sides of the run (program, runtime version). */
  readonly sides?: readonly SideFacts[];
  /** Where profiled throughput runs' CPU went (one run per profiled side), with `--profile`. */
  readonly profiles?: readonly SideProfile[];
}

/** The markdown tables (docs/performance.md and bench/results/controller-runtime.md). */
export function markdown(s: Summary, f: RunFacts): string {
  const lines: string[] = [];
  const load = f.loadAverages.map((l) => fmt(l, 1));
  lines.push(
    `Opkit against Go controller-runtime ${f.controllerRuntime} (client-go ${f.clientGo}), one kube-apiserver ${f.kubernetes}, ` +
      `${f.date.slice(0, 16).replace('T', ' ')} UTC, ${f.rounds} rounds in rotating order, Node ${f.node}, ${f.go}, ${f.cpus} CPUs. ` +
      `The machine was shared: 1-minute load average ${load.length > 0 ? `${fmt(Math.min(...f.loadAverages), 1)}–${fmt(Math.max(...f.loadAverages), 1)}` : '–'} at the rounds' starts ` +
      `(${load.join(', ')}). Values are medians; ratios are Opkit / controller-runtime of the same round, median [min–max].`,
    '',
  );
  if (s.throughput.length > 0) {
    lines.push(`Throughput: ${f.objects} ConfigMaps, a cached get plus one merge patch of an annotation each, MaxConcurrentReconciles = c.`, '');
    lines.push(`| | ${s.throughput.map((t) => `c=${t.concurrency}`).join(' | ')} |`, `| --- |${s.throughput.map(() => ' --- |').join('')}`);
    const row = (label: string, cell: (t: Summary['throughput'][number]) => string): void => {
      lines.push(`| ${label} | ${s.throughput.map(cell).join(' | ')} |`);
    };
    row('objects/s, controller-runtime / Opkit', (t) => `${fmt(t.objectsPerSec.controllerRuntime)} / ${fmt(t.objectsPerSec.opkit)}`);
    row('**Opkit / controller-runtime, objects/s**', (t) => ratioCell(t.objectsPerSec));
    row('CPU s per 1000 objects, controller-runtime / Opkit (startup subtracted)', (t) => `${fmt(t.cpuSecPer1000.controllerRuntime, 2)} / ${fmt(t.cpuSecPer1000.opkit, 2)}`);
    row('**CPU, Opkit / controller-runtime**', (t) => ratioCell(t.cpuSecPer1000));
    row('API server CPU s per 1000 objects, controller-runtime / Opkit', (t) => `${fmt(t.apiserverCpuSecPer1000.controllerRuntime, 2)} / ${fmt(t.apiserverCpuSecPer1000.opkit, 2)}`);
    lines.push('');
  }
  if (s.sync || s.latency) {
    lines.push('| | controller-runtime | Opkit | Opkit / controller-runtime |', '| --- | --- | --- | --- |');
    const row = (label: string, c: Compared, digits: number, unit: string): void => {
      lines.push(`| ${label} | ${fmt(c.controllerRuntime, digits)}${unit} | ${fmt(c.opkit, digits)}${unit} | ${ratioCell(c)} |`);
    };
    if (s.sync) {
      row(`spawn → caches synced, ${f.syncObjects} ConfigMaps`, s.sync.spawnToSynced, 0, ' ms');
      row('same, inside the process (manager start → synced)', s.sync.startToSynced, 0, ' ms');
      row('spawn → synced, empty', s.sync.spawnToSyncedEmpty, 0, ' ms');
      row('RSS empty', s.sync.rssEmptyMiB, 1, ' MiB');
      row(`RSS with ${f.syncObjects} cached`, s.sync.rssSyncedMiB, 1, ' MiB');
      row('heap bytes per cached object, managedFields kept', s.sync.heapBytesPerObject.keep, 0, '');
      row('heap bytes per cached object, managedFields stripped', s.sync.heapBytesPerObject.strip, 0, '');
    }
    if (s.latency) {
      row(`event → reconcile p50 (write sent → reconcile, ${f.latencySamples} changes per round)`, s.latency.p50Ms, 2, ' ms');
      row('event → reconcile p99', s.latency.p99Ms, 2, ' ms');
      row('write acknowledged → reconcile p99', s.latency.ackP99Ms, 2, ' ms');
    }
    lines.push('');
    lines.push('Spawn, RSS and synced rows use each side\'s default: controller-runtime keeps managedFields, Opkit strips them.', '');
  }
  if (s.floor) lines.push(...floorMarkdown(s.floor, f.objects));
  if (f.profiles && f.profiles.length > 0) lines.push(...profilesMarkdown(f.profiles));
  if (s.cli) {
    const load = f.cliLoad ? ` Load average ${f.cliLoad.before} before, ${f.cliLoad.after} after; \`node -e 0\` takes ${fmt(f.cliLoad.floorMs)} ms here.` : '';
    lines.push(`CLI and type generation (bench/cli-startup.bench.ts, fresh processes of the built CLI, same session).${load}`, '');
    const floor = f.cliLoad?.floorMs ?? NaN;
    lines.push('| command | median | above `node -e 0` | p90 | peak RSS |', '| --- | --- | --- | --- | --- |');
    for (const r of s.cli) lines.push(`| \`${r.command}\` | ${fmt(r.medianMs)} ms | ${fmt(r.medianMs - floor)} ms | ${fmt(r.p90Ms)} ms | ${fmt(r.rssMb)} MB |`);
    lines.push('');
  }
  if (s.targets.length > 0) {
    lines.push('| Done when | this run | met |', '| --- | --- | --- |');
    for (const t of s.targets) lines.push(`| ${t.target} | ${t.value} | ${t.met ? 'yes' : '**no**'} |`);
    lines.push('');
  }
  return lines.join('\n');
}
