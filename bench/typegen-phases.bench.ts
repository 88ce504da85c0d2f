/**
 * Where `opkit generate types` spends its time, phase by phase, cold and warm: the profile behind
 * the type-generation rows of the issue-14 table.
 *
 * Each of `RUNS` fresh processes (default 7) runs the phases of the command on one input
 * (bench/typegen-phases-child.mjs: read, parse, schema check, source hash, generate = type building
 * + hash + printing, write) `ROUNDS` times (default 6) in a row. Round 1 is what the command pays,
 * on code the JIT has not compiled yet; the last round is the same work warm. In the same run: the
 * whole command (fresh process of the built CLI) on the same input, the command on a tiny input
 * (start-up, module loading and argument handling: what any input pays) and `node -e 0`.
 *
 * The "warm floor" it prints is the command's fixed cost plus every phase at its warm speed: what
 * the command would take if its code ran warm from the first call, the floor for this
 * implementation in a fresh Node process.
 *
 *   npm run build && npx tsx bench/typegen-phases.bench.ts
 *   RUNS=11 ROUNDS=8 npx tsx bench/typegen-phases.bench.ts
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { largeCrd } from '../test/fixtures/codegen/hostile-inputs.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const RUNS = Number(process.env['RUNS'] ?? 7);
const ROUNDS = Number(process.env['ROUNDS'] ?? 6);
const PHASES = ['read', 'parse', 'check', 'hash', 'generate', 'write'] as const;
type Phase = (typeof PHASES)[number];

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

/** Wall milliseconds of one fresh process; throws on a non-zero exit. */
function timed(args: readonly string[], cwd: string): { ms: number; stdout: string } {
  const started = performance.now();
  const child = spawnSync(process.execPath, args, { cwd, encoding: 'utf8', timeout: 120_000, env: { ...process.env, ROUNDS: String(ROUNDS) } });
  const ms = performance.now() - started;
  if (child.status !== 0) throw new Error(`node ${args.join(' ')} exited ${String(child.status)}:\n${child.stderr.slice(-2000)}`);
  return { ms, stdout: child.stdout };
}

function main(): void {
  const work = mkdtempSync(join(tmpdir(), 'opkit-bench-phases-'));
  const synthetic = join(work, 'synthetic-1.4mb.yaml');
  writeFileSync(synthetic, largeCrd(1.4 * 1024 * 1024));
  const tiny = join(work, 'tiny.yaml');
  writeFileSync(tiny, 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: tiny}\n');
  const inputs = [
    { name: 'corpus (26 CRDs, 6.7 MB)', path: join(repoRoot, 'test', 'fixtures', 'crds') },
    { name: 'synthetic CRD (1.4 MiB)', path: synthetic },
  ];
  const cli = join(repoRoot, 'dist', 'cli', 'opkit.js');
  console.log(`node ${process.version}, ${RUNS} processes × ${ROUNDS} rounds per input, load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  try {
    const floor: number[] = [];
    const fixed: number[] = [];
    const commands = new Map<string, number[]>();
    const cold = new Map<string, Record<Phase, number[]>>();
    const warm = new Map<string, Record<Phase, number[]>>();
    for (let run = 0; run < RUNS; run += 1) {
      floor.push(timed(['-e', '0'], work).ms);
      fixed.push(timed([cli, 'generate', 'types', tiny, '--out', join(work, `tiny-${run}`)], work).ms);
      for (const input of inputs) {
        commands.set(input.name, [...(commands.get(input.name) ?? []), timed([cli, 'generate', 'types', input.path, '--out', join(work, `cmd-${run}`)], work).ms]);
        const out = join(work, `phases-${run}`);
        const lines = timed([join(repoRoot, 'bench', 'typegen-phases-child.mjs'), repoRoot, out, input.path], work).stdout.trim().split('\n');
        const first = JSON.parse(lines[0] ?? '{}') as Record<Phase, number>;
        const last = JSON.parse(lines[lines.length - 1] ?? '{}') as Record<Phase, number>;
        for (const [map, round] of [[cold, first], [warm, last]] as const) {
          const entry = map.get(input.name) ?? (Object.fromEntries(PHASES.map((p) => [p, []])) as unknown as Record<Phase, number[]>);
          for (const phase of PHASES) entry[phase].push(round[phase]);
          map.set(input.name, entry);
        }
        rmSync(out, { recursive: true, force: true });
      }
      process.stdout.write('.');
    }
    process.stdout.write('\n');
    const fixedMs = median(fixed);
    console.log(`node -e 0: ${median(floor).toFixed(0)} ms; the command on a tiny input (start-up, modules, arguments): ${fixedMs.toFixed(0)} ms`);
    for (const input of inputs) {
      const c = cold.get(input.name) as Record<Phase, number[]>;
      const w = warm.get(input.name) as Record<Phase, number[]>;
      console.log(`\n${input.name}: the command ${median(commands.get(input.name) ?? []).toFixed(0)} ms (median wall)`);
      console.log(`${'phase'.padEnd(10)} ${'cold (round 1)'.padStart(15)} ${`warm (round ${ROUNDS})`.padStart(15)} ${'cold / warm'.padStart(12)}`);
      for (const phase of PHASES) {
        const cm = median(c[phase]);
        const wm = median(w[phase]);
        console.log(`${(phase === 'hash' ? 'hash*' : phase).padEnd(10)} ${`${cm.toFixed(1)} ms`.padStart(15)} ${`${wm.toFixed(1)} ms`.padStart(15)} ${`${(cm / wm).toFixed(1)}×`.padStart(12)}`);
      }
      // the command's own phases: generate already hashes, so hash is not added again
      const own = PHASES.filter((p) => p !== 'hash');
      const coldSum = own.reduce((sum, p) => sum + median(c[p]), 0);
      const warmSum = own.reduce((sum, p) => sum + median(w[p]), 0);
      console.log(`* hash: the source hash alone, which generate computes again; not in the sums`);
      console.log(`fixed cost + cold phases: ${(fixedMs + coldSum).toFixed(0)} ms; warm floor (fixed cost + warm phases): ${(fixedMs + warmSum).toFixed(0)} ms`);
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

main();
