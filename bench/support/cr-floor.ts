/**
 * The floor part of bench/controller-runtime.bench.ts's report: every throughput side (bench/
 * support/cr-sides.ts) against controller-runtime, the rows derived from them (what Node's HTTP
 * client alone costs next to client-go's, what Opkit's transport adds to it, what each operator
 * layer adds to its raw traffic, what Node 24 changes) and the CPU profiles of profiled sides.
 */
import type { ProfileFunction, ProfileShare } from './cpu-profile.js';
import type { ThroughputSample } from './cr-workloads.js';
import { median, pairedRatio, round } from './stats.js';

/** A side as the report names it. */
export interface SideFacts {
  readonly name: string;
  readonly label: string;
  readonly kind: 'operator' | 'raw';
  readonly runtime: string;
}

/** Where one profiled throughput run's CPU went. */
export interface SideProfile {
  readonly side: string;
  readonly label: string;
  readonly concurrency: number;
  readonly objects: number;
  readonly objectsPerSec: number;
  /** Busy (non-idle) profile time after the "started" mark. */
  readonly busyMs: number;
  /** The same run's process CPU (rusage: every thread, user and kernel) per 1000 objects. */
  readonly cpuSecPer1000: number;
  readonly shares: readonly ProfileShare[];
  /** The functions with the most self time. */
  readonly top: readonly ProfileFunction[];
}

/** A paired ratio: per round a / b, then median, min, max. */
export interface Ratio {
  readonly median: number;
  readonly min: number;
  readonly max: number;
  readonly pairs: number;
}

/** One side at one concurrency: medians over rounds, and paired ratios to controller-runtime's. */
export interface SideRow {
  readonly concurrency: number;
  readonly objectsPerSec: number;
  readonly cpuSecPer1000: number;
  /** The kernel's share of `cpuSecPer1000` (median of the runs' system time). */
  readonly systemCpuSecPer1000: number;
  readonly apiserverCpuSecPer1000: number;
  readonly objectsPerSecVsControllerRuntime: Ratio;
  readonly cpuVsControllerRuntime: Ratio;
}

/** A derived row: one paired ratio (or difference) per concurrency. */
export interface DerivedRow {
  /** Stable name of the row (`node-vs-go`, `floor-target`, `opkit@node24-cpu`, …). */
  readonly key: string;
  readonly label: string;
  /** `ratio`: a / b per round; `seconds`: CPU s per 1000 objects. */
  readonly unit: 'ratio' | 'seconds';
  readonly values: ReadonlyArray<{ readonly concurrency: number; readonly value: Ratio }>;
}

/** What the floor tables render. */
export interface FloorSummary {
  readonly concurrencies: readonly number[];
  readonly sides: ReadonlyArray<SideFacts & { readonly rows: readonly SideRow[] }>;
  readonly derived: readonly DerivedRow[];
}

type Sample = ThroughputSample & { readonly round: number };
type PerRound = Map<number, number>;

function byRound(samples: readonly Sample[], side: string, concurrency: number, value: (s: Sample) => number): PerRound {
  return new Map(samples.filter((s) => s.side === side && s.concurrency === concurrency).map((s) => [s.round, value(s)]));
}

/** Per round, `f` of the sides' values, for the rounds where every side has one. */
function combine(maps: readonly PerRound[], f: (xs: number[]) => number): PerRound {
  const out: PerRound = new Map();
  const [first, ...rest] = maps;
  for (const [r, x] of first ?? []) {
    const xs = [x, ...rest.map((m) => m.get(r))];
    if (xs.every((v): v is number => v !== undefined && Number.isFinite(v))) out.set(r, f(xs));
  }
  return out;
}

function spread(m: PerRound): Ratio {
  const xs = [...m.values()];
  return { median: median(xs), min: Math.min(...xs), max: Math.max(...xs), pairs: xs.length };
}

const cpu = (s: Sample): number => s.cpuSecPer1000;
const rate = (s: Sample): number => s.objectsPerSec;

/** Medians, paired ratios to controller-runtime and the derived floor rows, from the throughput samples. */
export function floorSummary(samples: readonly Sample[], sides: readonly SideFacts[]): FloorSummary {
  const concurrencies = [...new Set(samples.map((s) => s.concurrency))].sort((a, b) => a - b);
  const has = (side: string): boolean => sides.some((s) => s.name === side) && samples.some((s) => s.side === side);
  const rows = sides.map((side) => ({
    ...side,
    rows: concurrencies.map((c): SideRow => {
      const at = samples.filter((s) => s.side === side.name && s.concurrency === c);
      return {
        concurrency: c,
        objectsPerSec: median(at.map(rate)),
        cpuSecPer1000: median(at.map(cpu)),
        systemCpuSecPer1000: median(at.map((s) => s.systemCpuSecPer1000)),
        apiserverCpuSecPer1000: median(at.map((s) => s.apiserverCpuSecPer1000)),
        objectsPerSecVsControllerRuntime: pairedRatio(byRound(samples, side.name, c, rate), byRound(samples, 'controller-runtime', c, rate)),
        cpuVsControllerRuntime: pairedRatio(byRound(samples, side.name, c, cpu), byRound(samples, 'controller-runtime', c, cpu)),
      };
    }),
  }));
  const derived: DerivedRow[] = [];
  const row = (key: string, label: string, unit: DerivedRow['unit'], per: (c: number) => PerRound): void => {
    derived.push({ key, label, unit, values: concurrencies.map((c) => ({ concurrency: c, value: spread(per(c)) })) });
  };
  const cpuOf = (side: string, c: number): PerRound => byRound(samples, side, c, cpu);
  const ratio = (a: PerRound, b: PerRound): PerRound => combine([a, b], ([x = NaN, y = NaN]) => x / y);
  // Node's floor: the cheaper of the two minimal programs in each round
  const nodeSides = ['node-http2', 'node-https'].filter(has);
  const nodeFloor = (c: number): PerRound => combine(nodeSides.map((s) => cpuOf(s, c)), (xs) => Math.min(...xs));
  const node = nodeSides.length === 2 ? 'Node minimal' : `Node minimal (${nodeSides[0] ?? ''})`;
  if (nodeSides.length > 0 && has('go-raw')) row('node-vs-go', `CPU, ${node} / Go raw: Node's bare HTTP client against client-go`, 'ratio', (c) => ratio(nodeFloor(c), cpuOf('go-raw', c)));
  if (has('node-http2') && has('node-https')) row('https-vs-http2', 'CPU, node:https HTTP/1.1 / node:http2 (minimal programs)', 'ratio', (c) => ratio(cpuOf('node-https', c), cpuOf('node-http2', c)));
  if (nodeSides.length > 0 && has('opkit-raw')) row('opkit-raw-vs-node', `CPU, Opkit raw / ${node}: what Opkit's transport, client and watcher add`, 'ratio', (c) => ratio(cpuOf('opkit-raw', c), nodeFloor(c)));
  if (has('controller-runtime') && has('go-raw')) {
    row('layer-go', 'operator layer in Go: controller-runtime − Go raw, CPU s per 1000', 'seconds', (c) => combine([cpuOf('controller-runtime', c), cpuOf('go-raw', c)], ([x = NaN, y = NaN]) => x - y));
  }
  if (has('opkit') && has('opkit-raw')) {
    row('layer-opkit', 'operator layer in Opkit: Opkit operator − Opkit raw, CPU s per 1000', 'seconds', (c) => combine([cpuOf('opkit', c), cpuOf('opkit-raw', c)], ([x = NaN, y = NaN]) => x - y));
  }
  if (has('opkit') && nodeSides.length > 0) row('opkit-vs-node', `CPU, Opkit operator / ${node}`, 'ratio', (c) => ratio(cpuOf('opkit', c), nodeFloor(c)));
  // the best CPU ratio to controller-runtime a Node operator of this traffic could reach: Node's
  // bare client plus an operator layer as cheap as controller-runtime's over client-go
  const floorTarget = (floor: (c: number) => PerRound) => (c: number): PerRound =>
    combine([floor(c), cpuOf('controller-runtime', c), cpuOf('go-raw', c)], ([n = NaN, cr = NaN, g = NaN]) => (n + cr - g) / cr);
  const cheapest = (names: readonly string[]) => (c: number): PerRound => combine(names.map((n) => cpuOf(n, c)), (xs) => Math.min(...xs));
  // below Node's HTTP modules: HTTP/1.1 written over TLS sockets
  if (has('node-tls') && has('go-raw')) row('tls-vs-go', 'CPU, HTTP/1.1 over node:tls / Go raw: Node without its HTTP modules against client-go', 'ratio', (c) => ratio(cpuOf('node-tls', c), cpuOf('go-raw', c)));
  if (has('node-tls') && nodeSides.length > 0) row('node-vs-tls', `CPU, ${node} / HTTP/1.1 over node:tls: what Node's HTTP modules cost`, 'ratio', (c) => ratio(nodeFloor(c), cpuOf('node-tls', c)));
  if (has('node-tls') && has('opkit-raw')) row('opkit-raw-vs-tls', 'CPU, Opkit raw / HTTP/1.1 over node:tls', 'ratio', (c) => ratio(cpuOf('opkit-raw', c), cpuOf('node-tls', c)));
  if (has('controller-runtime') && has('go-raw')) {
    const http24 = ['node-http2@node24', 'node-https@node24'].filter(has);
    if (nodeSides.length > 0) row('floor-target', `**Node's floor for the CPU target, with Node's HTTP modules**: (${node} + controller-runtime − Go raw) / controller-runtime`, 'ratio', floorTarget(nodeFloor));
    if (http24.length > 0) row('floor-target@node24', `the same on Node 24 (${http24.join(', ')})`, 'ratio', floorTarget(cheapest(http24)));
    if (has('node-tls')) row('floor-target-tls', "**Node's floor for the CPU target over node:tls sockets**: (HTTP/1.1 over node:tls + controller-runtime − Go raw) / controller-runtime", 'ratio', floorTarget((c) => cpuOf('node-tls', c)));
    if (has('node-tls@node24')) row('floor-target-tls@node24', 'the same on Node 24 (node-tls@node24)', 'ratio', floorTarget((c) => cpuOf('node-tls@node24', c)));
  }
  for (const side of sides.filter((s) => s.name.endsWith('@node24'))) {
    const base = side.name.slice(0, -'@node24'.length);
    const from = sides.find((s) => s.name === base);
    if (!from || !has(base) || !has(side.name)) continue;
    row(`${side.name}-rate`, `${from.label}: Node ${side.runtime} / ${from.runtime}, objects/s`, 'ratio', (c) => ratio(byRound(samples, side.name, c, rate), byRound(samples, base, c, rate)));
    row(`${side.name}-cpu`, `${from.label}: Node ${side.runtime} / ${from.runtime}, CPU`, 'ratio', (c) => ratio(cpuOf(side.name, c), cpuOf(base, c)));
  }
  return { concurrencies, sides: rows, derived };
}

function fmt(x: number, digits = 0): string {
  return Number.isFinite(x) ? round(x, digits).toFixed(digits) : '–';
}

function range(r: Ratio, digits = 2): string {
  return r.pairs === 0 ? '–' : `${fmt(r.median, digits)} [${fmt(r.min, digits)}–${fmt(r.max, digits)}]`;
}

/** The floor tables: CPU and objects/s per side, then the derived rows. */
export function floorMarkdown(f: FloorSummary, objects: number): string[] {
  const head = `| | ${f.concurrencies.map((c) => `c=${c}`).join(' | ')} |`;
  const rule = `| --- |${f.concurrencies.map(() => ' --- |').join('')}`;
  const lines = [
    `The floor: the same API traffic with less above it, same run, same control plane, the sides in rotating order. A raw side makes the throughput workload's requests without a controller: one list of the ${objects} ConfigMaps, a watch from its resourceVersion, one merge patch of the annotation per object (c in flight) with its answer parsed, and every patch's watch event parsed; it stops once every patch is answered and every event has arrived. CPU from each process's own rusage (start-up before the list or manager start left out); × is the paired ratio to controller-runtime's in the same round, median [min–max].`,
    '',
    `| CPU s per 1000 objects (× controller-runtime) | ${f.concurrencies.map((c) => `c=${c}`).join(' | ')} |`,
    rule,
    ...f.sides.map((s) => `| ${s.label} | ${s.rows.map((r) => `${fmt(r.cpuSecPer1000, 2)} (${range(r.cpuVsControllerRuntime)}×)`).join(' | ')} |`),
    '',
    `| objects/s (× controller-runtime) | ${f.concurrencies.map((c) => `c=${c}`).join(' | ')} |`,
    rule,
    ...f.sides.map((s) => `| ${s.label} | ${s.rows.map((r) => `${fmt(r.objectsPerSec)} (${range(r.objectsPerSecVsControllerRuntime)}×)`).join(' | ')} |`),
    '',
    `| the process CPU's kernel share (system time) / kube-apiserver's CPU, s per 1000 objects | ${f.concurrencies.map((c) => `c=${c}`).join(' | ')} |`,
    rule,
    ...f.sides.map((s) => `| ${s.label} | ${s.rows.map((r) => `${fmt(r.systemCpuSecPer1000, 2)} / ${fmt(r.apiserverCpuSecPer1000, 2)}`).join(' | ')} |`),
    '',
  ];
  const said = reading(f);
  if (said !== '') lines.push(said, '');
  if (f.derived.length > 0) {
    lines.push('Derived, per round then median [min–max] ("Node minimal": the cheaper of the node:http2 and node:https programs in each round):', '', head, rule);
    for (const d of f.derived) lines.push(`| ${d.label} | ${d.values.map((v) => range(v.value)).join(' | ')} |`);
    lines.push('');
  }
  return lines;
}

/** The profiles side by side: each group's share of busy CPU and its ms per 1000 objects. */
export function profilesMarkdown(profiles: readonly SideProfile[]): string[] {
  const groups = new Map<string, number>();
  for (const p of profiles) for (const s of p.shares) if (s.percent >= 0.5) groups.set(s.group, Math.max(groups.get(s.group) ?? 0, s.percent));
  const order = [...groups.keys()].sort((a, b) => (groups.get(b) ?? 0) - (groups.get(a) ?? 0));
  const lines = [
    `Where the CPU goes: one more throughput run per profiled side under \`node --cpu-prof\` (not counted above; self time of the main thread by script after the "started" mark, in ms per 1000 objects on the profile's clock; V8 builtins such as JSON.parse count toward the script calling them; kernel time, Node's helper threads, the profiler's own sampling and native work the profiler samples as idle — socket reads and TLS decryption run while libuv polls — are only in the rusage row): ${profiles
      .map((p) => `${p.label} at c=${p.concurrency}, ${fmt(p.objectsPerSec)} objects/s, ${fmt((p.busyMs / p.objects) * 1000)} ms busy per 1000 objects`)
      .join('; ')}.`,
    '',
    `| who | ${profiles.map((p) => `${p.label}: share / ms per 1000`).join(' | ')} |`,
    `| --- |${profiles.map(() => ' --- |').join('')}`,
  ];
  const total = profiles.map((p) => `**${fmt((p.busyMs / p.objects) * 1000)} ms**`);
  for (const g of order) {
    lines.push(
      `| ${g} | ${profiles
        .map((p) => {
          const s = p.shares.find((x) => x.group === g);
          return s ? `${fmt(s.percent, 1)} % / ${fmt((s.ms / p.objects) * 1000)}` : '–';
        })
        .join(' | ')} |`,
    );
  }
  lines.push(
    `| busy main thread, all | ${total.join(' | ')} |`,
    `| the same run's process CPU (rusage: every thread, user + kernel) | ${profiles.map((p) => `${fmt(p.cpuSecPer1000 * 1000)} ms`).join(' | ')} |`,
    '',
  );
  // the floor's own heaviest functions: Node's code that any client of this traffic runs
  for (const p of profiles.filter((x) => x.side.startsWith('node-'))) {
    lines.push(
      `Heaviest functions of ${p.label} (self time, ms per 1000 objects): ${p.top
        .slice(0, 12)
        .map((t) => `\`${t.function}\` ${fmt((t.ms / p.objects) * 1000)}`)
        .join(', ')}.`,
      '',
    );
  }
  return lines;
}

/** One sentence of what this run's floor rows say, from the medians (empty when the rows are missing). */
function reading(f: FloorSummary): string {
  const at = (key: string, digits = 2): string | undefined => {
    const d = f.derived.find((x) => x.key === key);
    return d ? d.values.map((v) => fmt(v.value.median, digits)).join(' / ') : undefined;
  };
  const vsCr = (side: string): string | undefined => {
    const s = f.sides.find((x) => x.name === side);
    return s ? s.rows.map((r) => fmt(r.cpuVsControllerRuntime.median, 2)).join(' / ') : undefined;
  };
  const cs = f.concurrencies.map((c) => `c=${c}`).join('/');
  const parts: string[] = [];
  const nodeVsGo = at('node-vs-go');
  if (nodeVsGo) parts.push(`Node's bare HTTP client costs ${nodeVsGo}× client-go's CPU for this traffic`);
  const raw = at('opkit-raw-vs-node');
  if (raw) parts.push(`Opkit's transport, client and watcher cost ${raw}× Node's bare client`);
  const layerGo = at('layer-go');
  const layerOpkit = at('layer-opkit');
  if (layerGo && layerOpkit) parts.push(`the operator layer above them adds ${layerOpkit} s per 1000 objects in Opkit and ${layerGo} s in controller-runtime`);
  const tlsVsGo = at('tls-vs-go');
  if (tlsVsGo) parts.push(`HTTP/1.1 written over node:tls sockets costs ${tlsVsGo}× client-go's`);
  const target = at('floor-target');
  const opkit = vsCr('opkit');
  if (target) {
    const on24 = at('floor-target@node24');
    parts.push(
      `so with an operator layer as cheap as controller-runtime's, the lowest CPU ratio to controller-runtime a Node operator of this traffic reaches is about ${target}×${on24 ? ` (${on24}× on Node 24)` : ''}` +
        `${at('floor-target-tls') ? ` with Node's HTTP modules and ${at('floor-target-tls') ?? ''}× over node:tls sockets` : ''}` +
        `${opkit ? `, where Opkit is at ${opkit}×` : ''}${vsCr('opkit@node24') ? ` (${vsCr('opkit@node24') ?? ''}× on Node 24)` : ''}`,
    );
  }
  return parts.length === 0 ? '' : `What this run says, at ${cs}: ${parts.join('; ')}.`;
}
