/**
 * `opkit generate types` on large and hostile inputs, as a user runs it (the built CLI, one child
 * process per run, peak RSS from `process.resourceUsage()` at exit). Inputs are generated into a
 * temp folder (test/fixtures/codegen/hostile-inputs.ts), never stored.
 *
 * - large valid CRDs (2, 5, 20 MB): wall time and peak RSS of the whole command, and of the YAML
 *   reading step alone with the reader used before (the `yaml` package, CST-preserving, aliases
 *   unbounded) as the baseline in the same run, reported as ratios;
 * - every malformed input: exit code, wall time, peak RSS.
 *
 *   npm run build && npx tsx bench/codegen-inputs.bench.ts
 *   SIZES_MB=2,5 npx tsx bench/codegen-inputs.bench.ts
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { hostileInputs, largeCrd } from '../test/fixtures/codegen/hostile-inputs.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const cli = join(repoRoot, 'dist', 'cli', 'opkit.js');
const REPORT_RSS = 'data:text/javascript,process.on("exit",()=>{process.stderr.write("\\nmax-rss-kb="+process.resourceUsage().maxRSS+"\\n")})';

interface Measured {
  readonly status: number | null;
  readonly ms: number;
  readonly rssMb: number;
  readonly stderr: string;
}

function measure(args: readonly string[], cwd: string): Measured {
  const started = performance.now();
  const child = spawnSync(process.execPath, ['--import', REPORT_RSS, ...args], { cwd, encoding: 'utf8', timeout: 600_000, maxBuffer: 64 * 1024 * 1024 });
  const ms = performance.now() - started;
  const match = /\nmax-rss-kb=(\d+)\n$/.exec(child.stderr ?? '');
  return { status: child.status, ms, rssMb: match === null ? Number.NaN : Number(match[1]) / 1024, stderr: match === null ? (child.stderr ?? '') : child.stderr.slice(0, match.index) };
}

/** Reads a file the way each reader does, in a child (so each has its own heap). */
function readerScript(reader: 'yaml' | 'js-yaml', file: string): string[] {
  const body = reader === 'yaml'
    ? `import { parseAllDocuments, LineCounter } from 'yaml'; const docs = parseAllDocuments(readFileSync(${JSON.stringify(file)}, 'utf8'), { lineCounter: new LineCounter() }); for (const d of docs) d.toJS({ maxAliasCount: -1 });`
    : `import jsyaml from 'js-yaml'; jsyaml.loadAll(readFileSync(${JSON.stringify(file)}, 'utf8'), undefined, { schema: jsyaml.CORE_SCHEMA });`;
  return ['--input-type=module', '-e', `import { readFileSync } from 'node:fs'; ${body}`];
}

const fmt = (n: number, digits = 0): string => n.toFixed(digits);

function main(): void {
  if (!existsSync(cli)) throw new Error(`${cli} is missing: run npm run build first`);
  const work = mkdtempSync(join(tmpdir(), 'opkit-bench-inputs-'));
  try {
    writeFileSync(join(work, 'package.json'), JSON.stringify({ name: 'bench', private: true, opkit: { domain: 'example.com' } }));
    const sizes = (process.env['SIZES_MB'] ?? '2,5,20').split(',').map(Number);
    console.log('large valid CRDs: whole command (new) | YAML reading: before (yaml) vs now (js-yaml)');
    console.log('size   command ms  RSS MB | read before ms  RSS MB | read now ms  RSS MB | time ratio  RSS ratio');
    for (const mb of sizes) {
      const file = join(work, `large-${mb}mb.yaml`);
      writeFileSync(file, largeCrd(mb * 1024 * 1024));
      const command = measure([cli, 'generate', 'types', file, '--out', join(work, `out-${mb}`)], work);
      if (command.status !== 0) throw new Error(`generate types failed on ${mb} MB: ${command.stderr}`);
      const before = measure(readerScript('yaml', file), repoRoot);
      const now = measure(readerScript('js-yaml', file), repoRoot);
      console.log(
        `${String(mb).padStart(3)} MB ${fmt(command.ms).padStart(10)} ${fmt(command.rssMb).padStart(7)} | ${fmt(before.ms).padStart(14)} ${fmt(before.rssMb).padStart(7)} | ${fmt(now.ms).padStart(11)} ${fmt(now.rssMb).padStart(7)} | ${fmt(before.ms / now.ms, 1).padStart(9)}x ${fmt(before.rssMb / now.rssMb, 1).padStart(9)}x`,
      );
    }
    // the corpus as a command; the baseline preloads what the CLI loaded eagerly before (ts-morph
    // through generate crd/rbac, the control-plane tooling through envtest)
    const corpus = ['cert-manager', 'gateway-api', 'prometheus-operator'].map((name) => join(repoRoot, 'test', 'fixtures', 'crds', name));
    const eager = ['--import', 'ts-morph', '--import', '@opkit/runtime/testing'];
    const runs = (args: readonly string[]): Measured[] => Array.from({ length: 3 }, () => measure(args, repoRoot));
    const best = (list: Measured[]): Measured => list.reduce((a, b) => (b.ms < a.ms ? b : a));
    const lazy = best(runs([cli, 'generate', 'types', ...corpus, '--out', join(work, 'out-corpus')]));
    const before = best(runs([...eager, cli, 'generate', 'types', ...corpus, '--out', join(work, 'out-corpus')]));
    console.log('\nthe 26-CRD corpus as a command (best of 3)');
    console.log(`  eager imports (before): ${fmt(before.ms)} ms, ${fmt(before.rssMb)} MB | lazy (now): ${fmt(lazy.ms)} ms, ${fmt(lazy.rssMb)} MB | ${fmt(before.ms / lazy.ms, 1)}x time, ${fmt(before.rssMb / lazy.rssMb, 1)}x RSS`);

    console.log('\nmalformed inputs (each must exit 1 under 300 MB)');
    console.log('input                       exit     ms  RSS MB  message');
    for (const input of hostileInputs()) {
      const file = join(work, input.name);
      writeFileSync(file, input.text);
      const run = measure([cli, 'generate', 'types', input.name, '--out', join(work, 'out-bad')], work);
      const firstLine = run.stderr.split('\n')[0] ?? '';
      console.log(`${input.name.padEnd(27)} ${String(run.status).padStart(4)} ${fmt(run.ms).padStart(6)} ${fmt(run.rssMb).padStart(7)}  ${firstLine.slice(0, 110)}`);
      if (run.status !== 1 || !(run.rssMb < 300)) console.log('  ^ FAILS the bound (exit 1, under 300 MB)');
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

main();
