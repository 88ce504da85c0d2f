/**
 * Type generation benchmark: CRD schema → TypeScript for the shared corpus (26 CRDs), with Opkit's
 * `generate types` and, side by side on the same input, @kubernetes-models/crd-generate,
 * `cdk8s import` (cdk8s-cli) and `kubernetes-fluent-client crd`. For every tool it reports
 * - the time to generate the whole corpus (one invocation where the tool takes many inputs,
 *   otherwise the sum of one invocation per CRD file, as a user would script it); for Opkit also
 *   the median wall time, CPU time and peak RSS of `RUNS` (default 5) runs of the command, on the
 *   corpus, on its largest CRD alone and on a synthetic 1.4 MiB CRD;
 * - how many of the 26 per-CRD outputs compile under `tsc --strict` (skipLibCheck, bundler
 *   resolution so every tool's import style resolves); Opkit's also under
 *   `--exactOptionalPropertyTypes --noUncheckedIndexedAccess`;
 * - what it does with the file that is not a CRD.
 *
 * The other tools are not dependencies of the project: they are installed on demand into the
 * git-ignored bench/.tools/ folder (`npm install --prefix bench/.tools ...`); a tool whose
 * install fails is skipped with a message.
 *
 *   npx tsx bench/typegen.bench.ts            # all tools
 *   TOOLS=opkit,crd-generate npx tsx bench/typegen.bench.ts
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { generateTypes } from '../codegen/crd-to-ts/generate-types.js';
import { largeCrd } from '../test/fixtures/codegen/hostile-inputs.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const corpusDir = resolve(repoRoot, 'test', 'fixtures', 'crds');
const toolsDir = join(repoRoot, 'bench', '.tools');
const workDir = join(toolsDir, 'work');
const NOT_A_CRD = 'gateway.networking.k8s.io_vap_safeupgrades.yaml';

/** Packages installed into bench/.tools (tools and what their output imports). */
const PACKAGES: Readonly<Record<string, readonly string[]>> = {
  'crd-generate': ['@kubernetes-models/crd-generate', '@kubernetes-models/base', '@kubernetes-models/apimachinery', '@kubernetes-models/validate'],
  cdk8s: ['cdk8s-cli', 'cdk8s', 'constructs'],
  'kubernetes-fluent-client': ['kubernetes-fluent-client'],
};

interface Run {
  readonly ms: number;
  readonly ok: boolean;
  readonly message: string;
}

interface ToolResult {
  readonly tool: string;
  readonly version: string;
  readonly corpusMs: number | undefined;
  readonly corpusMethod: string;
  readonly perFileMs: number;
  readonly generated: number;
  readonly compiling: number;
  readonly compilingStrictest?: number;
  readonly notACrd: string;
  /** Bytes of TypeScript in the 26 per-CRD outputs. */
  readonly outputBytes: number;
  readonly failures: readonly string[];
}

function bytesOf(folder: string): number {
  return tsFiles(folder).reduce((sum, file) => sum + statSync(file).size, 0);
}

function corpusFiles(): string[] {
  const files: string[] = [];
  for (const folder of readdirSync(corpusDir).sort()) {
    const path = join(corpusDir, folder);
    if (!statSync(path).isDirectory()) continue;
    for (const name of readdirSync(path).sort()) if (name.endsWith('.yaml')) files.push(join(path, name));
  }
  return files;
}

function installed(pkg: string): boolean {
  return existsSync(join(toolsDir, 'node_modules', pkg, 'package.json'));
}

function versionOf(pkg: string): string {
  try {
    const text = ts.sys.readFile(join(toolsDir, 'node_modules', pkg, 'package.json')) ?? '{}';
    return String((JSON.parse(text) as { version?: unknown }).version ?? '?');
  } catch {
    return '?';
  }
}

/** Installs the packages of the tools that are missing; returns the tools that are usable. */
function ensureTools(tools: readonly string[]): Set<string> {
  mkdirSync(toolsDir, { recursive: true });
  if (!existsSync(join(toolsDir, '.gitignore'))) writeFileSync(join(toolsDir, '.gitignore'), '*\n');
  if (!existsSync(join(toolsDir, 'package.json'))) writeFileSync(join(toolsDir, 'package.json'), '{ "name": "opkit-bench-tools", "private": true }\n');
  const usable = new Set<string>();
  for (const tool of tools) {
    const packages = PACKAGES[tool] ?? [];
    const missing = packages.filter((pkg) => !installed(pkg));
    if (missing.length > 0) {
      console.log(`installing ${missing.join(' ')} into bench/.tools ...`);
      const result = spawnSync('npm', ['install', '--prefix', toolsDir, '--no-audit', '--no-fund', '--loglevel=error', ...missing], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
      if (result.status !== 0 || missing.some((pkg) => !installed(pkg))) {
        console.log(`SKIP ${tool}: npm install failed (${(result.stderr || result.error?.message || 'unknown error').trim().split('\n').slice(-3).join(' | ')})`);
        continue;
      }
    }
    usable.add(tool);
  }
  return usable;
}

function run(command: string, args: readonly string[], cwd: string): Run {
  const started = performance.now();
  const result = spawnSync(command, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 600_000, env: { ...process.env, NO_COLOR: '1' } });
  const ms = performance.now() - started;
  const message = `${result.stderr ?? ''}${result.error?.message ?? ''}`.trim().split('\n').filter((l) => l !== '').slice(-2).join(' | ');
  return { ms, ok: result.status === 0, message };
}

const RUNS = Number(process.env['RUNS'] ?? 5);
const REPORT_USAGE = 'data:text/javascript,process.on("exit",()=>{const u=process.resourceUsage();process.stderr.write("\\nmax-rss-kb="+u.maxRSS+" cpu-us="+(u.userCPUTime+u.systemCPUTime)+"\\n")})';

function corpusBytes(files: readonly string[]): number {
  return files.reduce((sum, file) => sum + statSync(file).size, 0);
}

/** Runs `node <args>` RUNS times (fresh output folder each time): medians of wall, CPU and peak RSS. */
function commandRuns(args: readonly string[]): { ok: boolean; ms: number; cpuMs: number; rssMb: number; line: string } {
  const walls: number[] = [];
  const cpus: number[] = [];
  const rss: number[] = [];
  let ok = true;
  const out = args[args.length - 1] ?? '';
  for (let i = 0; i < RUNS; i += 1) {
    rmSync(out, { recursive: true, force: true });
    const started = performance.now();
    const child = spawnSync(process.execPath, ['--import', REPORT_USAGE, ...args], { cwd: repoRoot, encoding: 'utf8', timeout: 600_000 });
    walls.push(performance.now() - started);
    const match = /\nmax-rss-kb=(\d+) cpu-us=(\d+)\n$/.exec(child.stderr ?? '');
    if (child.status !== 0 || match === null) ok = false;
    rss.push(Number(match?.[1] ?? Number.NaN) / 1024);
    cpus.push(Number(match?.[2] ?? Number.NaN) / 1000);
  }
  const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;
  const result = { ok, ms: median(walls), cpuMs: median(cpus), rssMb: median(rss) };
  return { ...result, line: `${(result.ms / 1000).toFixed(2)} s, CPU ${(result.cpuMs / 1000).toFixed(2)} s, ${result.rssMb.toFixed(0)} MB${ok ? '' : ' (FAILED)'}` };
}

function bin(name: string): string {
  return join(toolsDir, 'node_modules', '.bin', name);
}

/** How each external tool is run on one input file into one output folder. */
const EXTERNAL: Readonly<Record<string, { readonly version: () => string; readonly one: (input: string, out: string) => Run; readonly many?: (inputs: readonly string[], out: string) => Run }>> = {
  'crd-generate': {
    version: () => versionOf('@kubernetes-models/crd-generate'),
    one: (input, out) => run(bin('crd-generate'), ['--input', input, '--output', out], workDir),
    many: (inputs, out) => run(bin('crd-generate'), [...inputs.flatMap((i) => ['--input', i]), '--output', out], workDir),
  },
  cdk8s: {
    version: () => versionOf('cdk8s-cli'),
    one: (input, out) => run(bin('cdk8s'), ['import', input, '--language', 'typescript', '--output', out, '--check-upgrade=false'], workDir),
  },
  'kubernetes-fluent-client': {
    version: () => versionOf('kubernetes-fluent-client'),
    one: (input, out) => run(bin('kubernetes-fluent-client'), ['crd', input, out], workDir),
  },
};

function tsFiles(folder: string): string[] {
  if (!existsSync(folder)) return [];
  const files: string[] = [];
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) files.push(...tsFiles(path));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) files.push(path);
  }
  return files;
}

/** Type-checks each folder as its own program (reusing what the previous program parsed). */
class Compiler {
  #old: ts.Program | undefined;
  readonly #options: ts.CompilerOptions;

  constructor(extra: ts.CompilerOptions = {}) {
    this.#options = {
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.ESNext,
      moduleResolution: ts.ModuleResolutionKind.Bundler,
      strict: true,
      skipLibCheck: true,
      noEmit: true,
      esModuleInterop: true,
      allowJs: false,
      types: [],
      ...extra,
    };
  }

  /** Whether the `.ts` files under `folder` compile with no diagnostic. */
  compiles(folder: string): { ok: boolean; first: string } {
    const roots = tsFiles(folder);
    if (roots.length === 0) return { ok: false, first: 'no output' };
    const program = ts.createProgram({ rootNames: roots, options: this.#options, ...(this.#old === undefined ? {} : { oldProgram: this.#old }) });
    this.#old = program;
    const inFolder = (d: ts.Diagnostic): boolean => d.file === undefined || d.file.fileName.startsWith(folder);
    const diagnostics = [...program.getOptionsDiagnostics(), ...program.getSyntacticDiagnostics(), ...program.getSemanticDiagnostics()].filter(inFolder);
    const first = diagnostics[0];
    return { ok: diagnostics.length === 0, first: first === undefined ? '' : `TS${first.code} ${ts.flattenDiagnosticMessageText(first.messageText, ' ').slice(0, 160)}` };
  }
}

function table(rows: readonly ToolResult[]): string {
  const header = ['tool', 'version', 'corpus (s)', 'how', 'outputs', 'compile --strict', 'TS output', 'non-CRD file'];
  const lines = rows.map((r) => [
    r.tool,
    r.version,
    r.corpusMs === undefined ? 'n/a' : (r.corpusMs / 1000).toFixed(2),
    r.corpusMethod,
    `${r.generated}/26`,
    `${r.compiling}/26${r.compilingStrictest === undefined ? '' : ` (${r.compilingStrictest}/26 with exactOptional+noUnchecked)`}`,
    `${(r.outputBytes / 1e6).toFixed(1)} MB`,
    r.notACrd,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i] ?? '').length)));
  const format = (cells: readonly string[]): string => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ');
  return [format(header), widths.map((w) => '-'.repeat(w)).join('-|-'), ...lines.map(format)].join('\n');
}

async function benchOpkit(crdFiles: readonly string[], notACrd: string): Promise<ToolResult> {
  const out = join(workDir, 'opkit');
  rmSync(out, { recursive: true, force: true });
  // whole corpus, in process (warm-up run first, then the median of 3)
  await generateTypes({ inputs: [corpusDir], out: join(out, 'warmup') });
  const times: number[] = [];
  for (let i = 0; i < 3; i += 1) {
    const started = performance.now();
    await generateTypes({ inputs: [corpusDir], out: join(out, `corpus-${i}`) });
    times.push(performance.now() - started);
  }
  const inProcess = [...times].sort((a, b) => a - b)[1] ?? NaN;
  // whole corpus, as a command (a fresh process, like the other tools): median of RUNS runs
  const cliArgs = (inputs: readonly string[], dir: string): string[] =>
    existsSync(join(repoRoot, 'dist/cli/opkit.js'))
      ? [join(repoRoot, 'dist/cli/opkit.js'), 'generate', 'types', ...inputs, '--out', dir]
      : ['--import', 'tsx', join(repoRoot, 'cli/opkit.ts'), 'generate', 'types', ...inputs, '--out', dir];
  const largest = [...crdFiles].sort((a, b) => statSync(b).size - statSync(a).size)[0] ?? '';
  const synthetic = join(workDir, 'synthetic-1.4mb.yaml');
  writeFileSync(synthetic, largeCrd(1.4 * 1024 * 1024));
  const cli = commandRuns(cliArgs([corpusDir], join(out, 'cli')));
  const one = commandRuns(cliArgs([largest], join(out, 'cli-largest')));
  const big = commandRuns(cliArgs([synthetic], join(out, 'cli-synthetic')));
  console.log(`opkit: whole corpus in process ${(inProcess / 1000).toFixed(2)} s (median of 3)`);
  console.log(`opkit as a command, median of ${RUNS} (wall, CPU, peak RSS):`);
  console.log(`  corpus (26 CRDs, ${(corpusBytes(crdFiles) / 1e6).toFixed(1)} MB)    ${cli.line}`);
  console.log(`  ${basename(largest)} (${(statSync(largest).size / 1e3).toFixed(0)} KB)    ${one.line}`);
  console.log(`  synthetic CRD (1.4 MiB, hostile-inputs largeCrd)    ${big.line}`);
  let perFileMs = 0;
  const failures: string[] = [];
  let generated = 0;
  for (const file of crdFiles) {
    const started = performance.now();
    try {
      await generateTypes({ inputs: [file], out: join(out, 'per-crd', basename(file, '.yaml')) });
      generated += 1;
    } catch (err) {
      failures.push(`${basename(file)}: ${err instanceof Error ? err.message : String(err)}`);
    }
    perFileMs += performance.now() - started;
  }
  const strict = new Compiler();
  const strictest = new Compiler({ exactOptionalPropertyTypes: true, noUncheckedIndexedAccess: true, module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext });
  let compiling = 0;
  let compilingStrictest = 0;
  for (const file of crdFiles) {
    const folder = join(out, 'per-crd', basename(file, '.yaml'));
    const result = strict.compiles(folder);
    if (result.ok) compiling += 1;
    else failures.push(`${basename(file)}: ${result.first}`);
    if (strictest.compiles(folder).ok) compilingStrictest += 1;
  }
  let nonCrd = 'reported, skipped';
  try {
    const result = await generateTypes({ inputs: [notACrd], out: join(out, 'non-crd') });
    if (result.warnings.length === 0) nonCrd = 'silently ignored';
  } catch (err) {
    nonCrd = `error: ${err instanceof Error ? err.message.slice(0, 60) : String(err)}`;
  }
  return {
    tool: 'opkit generate types',
    version: 'this checkout',
    corpusMs: cli.ok ? cli.ms : undefined,
    corpusMethod: `1 command, median of ${RUNS} (in process ${(inProcess / 1000).toFixed(2)} s; CPU ${(cli.cpuMs / 1000).toFixed(2)} s, ${cli.rssMb.toFixed(0)} MB)`,
    perFileMs,
    generated,
    compiling,
    compilingStrictest,
    notACrd: nonCrd,
    outputBytes: bytesOf(join(out, 'per-crd')),
    failures,
  };
}

function benchExternal(tool: string, crdFiles: readonly string[], notACrd: string): ToolResult {
  const spec = EXTERNAL[tool];
  if (spec === undefined) throw new Error(`unknown tool ${tool}`);
  const out = join(workDir, tool);
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  const failures: string[] = [];
  let perFileMs = 0;
  let generated = 0;
  for (const file of crdFiles) {
    const result = spec.one(file, join(out, 'per-crd', basename(file, '.yaml')));
    perFileMs += result.ms;
    if (result.ok && tsFiles(join(out, 'per-crd', basename(file, '.yaml'))).length > 0) generated += 1;
    else failures.push(`${basename(file)}: generation failed: ${result.message.slice(0, 200)}`);
    process.stdout.write('.');
  }
  process.stdout.write('\n');
  let corpusMs = perFileMs;
  let corpusMethod = '26 commands, one per CRD';
  if (spec.many !== undefined) {
    const all = spec.many(crdFiles, join(out, 'corpus'));
    if (all.ok) {
      corpusMs = all.ms;
      corpusMethod = `1 command (26 commands: ${(perFileMs / 1000).toFixed(1)} s)`;
    }
  }
  const compiler = new Compiler();
  let compiling = 0;
  for (const file of crdFiles) {
    const folder = join(out, 'per-crd', basename(file, '.yaml'));
    const result = compiler.compiles(folder);
    if (result.ok) compiling += 1;
    else failures.push(`${basename(file)}: ${result.first}`);
  }
  const nonCrdRun = spec.one(notACrd, join(out, 'non-crd'));
  const written = tsFiles(join(out, 'non-crd')).filter((f) => (ts.sys.readFile(f) ?? '').trim() !== '');
  const nonCrd = nonCrdRun.ok ? (written.length > 0 ? 'exit 0, writes code' : 'exit 0, empty output') : `fails (${nonCrdRun.message.slice(0, 50)})`;
  return { tool, version: spec.version(), corpusMs, corpusMethod, perFileMs, generated, compiling, notACrd: nonCrd, outputBytes: bytesOf(join(out, 'per-crd')), failures };
}

async function main(): Promise<void> {
  const wanted = (process.env['TOOLS'] ?? 'opkit,crd-generate,cdk8s,kubernetes-fluent-client').split(',').map((t) => t.trim());
  const files = corpusFiles();
  const crdFiles = files.filter((f) => basename(f) !== NOT_A_CRD);
  const notACrd = files.find((f) => basename(f) === NOT_A_CRD) ?? '';
  console.log(`corpus: ${crdFiles.length} CRD files (+ ${NOT_A_CRD}) from ${corpusDir}`);
  mkdirSync(workDir, { recursive: true });
  const usable = ensureTools(wanted.filter((t) => t !== 'opkit'));
  const results: ToolResult[] = [];
  if (wanted.includes('opkit')) results.push(await benchOpkit(crdFiles, notACrd));
  for (const tool of wanted) {
    if (tool === 'opkit' || !usable.has(tool)) continue;
    console.log(`${tool}: generating ${crdFiles.length} CRDs one by one`);
    results.push(benchExternal(tool, crdFiles, notACrd));
  }
  console.log(`\n${table(results)}\n`);
  for (const result of results) {
    if (result.failures.length === 0) continue;
    console.log(`${result.tool}: ${result.failures.length} problem(s)`);
    for (const failure of result.failures.slice(0, 8)) console.log(`  ${failure}`);
  }
  const resultsDir = join(repoRoot, 'bench', 'results');
  mkdirSync(resultsDir, { recursive: true });
  writeFileSync(join(resultsDir, 'typegen.json'), `${JSON.stringify({ date: new Date().toISOString(), node: process.version, results }, null, 2)}\n`);
  console.log(`\nresults written to bench/results/typegen.json`);
}

await main();
