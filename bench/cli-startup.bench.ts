/**
 * CLI start-up: how long a user waits for `opkit --help`, `create-operator --help`,
 * `create-operator <dir> --yes --skip-install` (git init included) and `opkit generate types` (the
 * 26-CRD corpus, the largest CRD of it alone, and a generated 1.4 MiB CRD), each a fresh process
 * of the built CLI, as a user runs it. Peak RSS and CPU time from `process.resourceUsage()` at exit.
 *
 * Baselines in the same run, in rotating order (this checkout, the baseline, `node -e 0` as the
 * floor of any Node program on this machine):
 * - `BASELINE_REF=<commit>` (default: none): that commit of this repository, extracted with
 *   `git archive` into the git-ignored bench/.baseline/<commit>/ and compiled there (it resolves
 *   packages from this checkout's node_modules), so the bench compares before and after a change;
 * - `BASELINE=<folder>`: any other checkout with a built dist/.
 *
 * Reports medians and the 90th percentile of `RUNS` runs (default 15) per command, the ratio
 * baseline / now of the medians, and the load average before and after (the machine may be
 * shared: compare ratios, and medians taken when the load is low).
 *
 *   npm run build && BASELINE_REF=dacd2ee npx tsx bench/cli-startup.bench.ts
 *   RUNS=31 ONLY=help npx tsx bench/cli-startup.bench.ts
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { largeCrd } from '../test/fixtures/codegen/hostile-inputs.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const corpus = join(repoRoot, 'test', 'fixtures', 'crds');
const largest = join(corpus, 'prometheus-operator', 'monitoring.coreos.com_prometheuses.yaml');
const RUNS = Number(process.env['RUNS'] ?? 15);
const REPORT_RSS = 'data:text/javascript,process.on("exit",()=>{const u=process.resourceUsage();process.stderr.write("\\nmax-rss-kb="+u.maxRSS+" cpu-us="+(u.userCPUTime+u.systemCPUTime)+"\\n")})';

interface Checkout {
  readonly name: string;
  readonly root: string;
}

interface Sample {
  readonly ms: number;
  readonly rssMb: number;
  /** CPU time (user + system) of the process: less disturbed by other load than wall time. */
  readonly cpuMs: number;
}

/** One command of the table: its arguments for a checkout, run in `cwd`. */
interface Case {
  readonly name: string;
  readonly group: string;
  readonly args: (checkout: Checkout, work: string) => string[];
  /** Expected exit code. */
  readonly status: number;
}

const CASES: readonly Case[] = [
  { name: 'opkit --help', group: 'help', args: (c) => [join(c.root, 'dist/cli/opkit.js'), '--help'], status: 0 },
  { name: 'create-operator --help', group: 'help', args: (c) => [join(c.root, 'dist/cli/create-operator.js'), '--help'], status: 0 },
  { name: 'create-operator --yes --skip-install', group: 'create', args: (c, work) => [join(c.root, 'dist/cli/create-operator.js'), join(work, 'op'), '--yes', '--skip-install'], status: 0 },
  { name: 'generate types (corpus, 26 CRDs)', group: 'types', args: (c, work) => [join(c.root, 'dist/cli/opkit.js'), 'generate', 'types', corpus, '--out', join(work, 'types')], status: 0 },
  { name: 'generate types (prometheuses, 833 KB)', group: 'types', args: (c, work) => [join(c.root, 'dist/cli/opkit.js'), 'generate', 'types', largest, '--out', join(work, 'types')], status: 0 },
  { name: 'generate types (synthetic CRD, 1.4 MiB)', group: 'types', args: (c, work) => [join(c.root, 'dist/cli/opkit.js'), 'generate', 'types', join(work, '..', 'synthetic-1.4mb.yaml'), '--out', join(work, 'types')], status: 0 },
];

function measure(args: readonly string[], cwd: string, status: number): Sample {
  const started = performance.now();
  const child = spawnSync(process.execPath, ['--import', REPORT_RSS, ...args], { cwd, encoding: 'utf8', timeout: 120_000, env: { ...process.env, NO_COLOR: '1' } });
  const ms = performance.now() - started;
  if (child.status !== status) throw new Error(`${args.join(' ')} exited ${String(child.status)} (expected ${status}):\n${(child.stderr ?? '').slice(-2000)}`);
  const match = /\nmax-rss-kb=(\d+) cpu-us=(\d+)\n$/.exec(child.stderr ?? '');
  return { ms, rssMb: match === null ? Number.NaN : Number(match[1]) / 1024, cpuMs: match === null ? Number.NaN : Number(match[2]) / 1000 };
}

/** The commit extracted and compiled under bench/.baseline/<ref>/ (reused when already there). */
function baselineAt(ref: string): Checkout {
  const commit = execFileSync('git', ['rev-parse', '--short', ref], { cwd: repoRoot, encoding: 'utf8' }).trim();
  const parent = join(repoRoot, 'bench', '.baseline');
  const root = join(parent, commit);
  mkdirSync(parent, { recursive: true });
  if (!existsSync(join(parent, '.gitignore'))) writeFileSync(join(parent, '.gitignore'), '*\n');
  if (!existsSync(join(root, 'dist', 'cli', 'opkit.js'))) {
    console.log(`baseline ${commit}: extracting and compiling into bench/.baseline/${commit} ...`);
    rmSync(root, { recursive: true, force: true });
    mkdirSync(root, { recursive: true });
    execFileSync('sh', ['-c', `git archive ${commit} | tar -x -C ${JSON.stringify(root)}`], { cwd: repoRoot, stdio: 'inherit' });
    execFileSync(process.execPath, [join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
    // from 762edc1 on, the build also bundles the opkit command: a baseline runs as it shipped
    if (existsSync(join(root, 'scripts', 'bundle-cli.ts'))) {
      execFileSync(process.execPath, [join(repoRoot, 'node_modules', 'tsx', 'dist', 'cli.mjs'), join(root, 'scripts', 'bundle-cli.ts')], { cwd: root, stdio: 'inherit' });
    }
  }
  return { name: `baseline ${commit}`, root };
}

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(p * (sorted.length - 1) + 0.5))] ?? Number.NaN;
}

const load = (): string => loadavg().map((l) => l.toFixed(1)).join(' ');

function main(): void {
  const now: Checkout = { name: 'this checkout', root: repoRoot };
  if (!existsSync(join(now.root, 'dist', 'cli', 'opkit.js'))) throw new Error('dist/cli/opkit.js is missing: run npm run build first');
  const ref = process.env['BASELINE_REF'];
  const other = process.env['BASELINE'];
  const baseline = ref !== undefined && ref !== '' ? baselineAt(ref) : other !== undefined && other !== '' ? { name: `baseline ${other}`, root: resolve(other) } : undefined;
  const checkouts = baseline === undefined ? [now] : [now, baseline];
  const only = process.env['ONLY']?.split(',');
  const cases = CASES.filter((c) => only === undefined || only.includes(c.group));
  const work = mkdtempSync(join(tmpdir(), 'opkit-bench-startup-'));
  // the largest CRD the issue names is 1.4 MB; the corpus's largest is 833 KB: a generated one (test/fixtures/codegen/hostile-inputs.ts)
  writeFileSync(join(work, 'synthetic-1.4mb.yaml'), largeCrd(1.4 * 1024 * 1024));
  const before = load();
  console.log(`node ${process.version}, ${RUNS} runs per command, load average before: ${before}`);
  try {
    const floor: Sample[] = [];
    const samples = new Map<string, Sample[]>();
    for (let run = 0; run < RUNS; run += 1) {
      // rotating order: which checkout goes first changes every run
      const order = run % 2 === 0 ? checkouts : [...checkouts].reverse();
      floor.push(measure(['-e', '0'], work, 0));
      for (const c of cases) {
        for (const checkout of order) {
          const dir = mkdtempSync(join(work, 'run-'));
          const key = `${c.name}\0${checkout.name}`;
          samples.set(key, [...(samples.get(key) ?? []), measure(c.args(checkout, dir), dir, c.status)]);
          rmSync(dir, { recursive: true, force: true });
        }
      }
      process.stdout.write('.');
    }
    process.stdout.write('\n');
    const fmt = (s: readonly Sample[]): string => `${percentile(s.map((x) => x.ms), 0.5).toFixed(0).padStart(6)} ms (p90 ${percentile(s.map((x) => x.ms), 0.9).toFixed(0).padStart(5)}, cpu ${percentile(s.map((x) => x.cpuMs), 0.5).toFixed(0).padStart(5)}) ${percentile(s.map((x) => x.rssMb), 0.5).toFixed(0).padStart(4)} MB`;
    console.log(`\nwall median (p90, CPU median), peak RSS median\n${'command'.padEnd(40)} ${checkouts.map((c) => c.name.padEnd(44)).join(' ')} ${baseline === undefined ? '' : 'ratio baseline / now: wall, CPU'}`);
    console.log(`${'node -e 0 (floor)'.padEnd(40)} ${fmt(floor)}`);
    const results: Record<string, Record<string, { medianMs: number; p90Ms: number; cpuMs: number; rssMb: number }>> = {};
    for (const c of cases) {
      const cells = checkouts.map((checkout) => samples.get(`${c.name}\0${checkout.name}`) ?? []);
      const medians = cells.map((s) => percentile(s.map((x) => x.ms), 0.5));
      const cpus = cells.map((s) => percentile(s.map((x) => x.cpuMs), 0.5));
      const ratio = medians.length === 2 && medians[0] !== undefined && medians[1] !== undefined ? `${(medians[1] / medians[0]).toFixed(1)}×, ${((cpus[1] ?? 0) / (cpus[0] ?? 1)).toFixed(1)}×` : '';
      console.log(`${c.name.padEnd(40)} ${cells.map((s) => fmt(s).padEnd(44)).join(' ')} ${ratio}`);
      results[c.name] = Object.fromEntries(checkouts.map((checkout, i) => {
        const s = cells[i] ?? [];
        return [checkout.name, { medianMs: percentile(s.map((x) => x.ms), 0.5), p90Ms: percentile(s.map((x) => x.ms), 0.9), cpuMs: percentile(s.map((x) => x.cpuMs), 0.5), rssMb: percentile(s.map((x) => x.rssMb), 0.5) }];
      }));
    }
    const after = load();
    console.log(`\nload average before ${before}, after ${after} (1, 5, 15 min)`);
    const resultsDir = join(repoRoot, 'bench', 'results');
    mkdirSync(resultsDir, { recursive: true });
    const floorMs = percentile(floor.map((x) => x.ms), 0.5);
    writeFileSync(join(resultsDir, 'cli-startup.json'), `${JSON.stringify({ date: new Date().toISOString(), node: process.version, runs: RUNS, loadBefore: before, loadAfter: after, floorMs, results }, null, 2)}\n`);
    console.log('results written to bench/results/cli-startup.json');
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

main();
