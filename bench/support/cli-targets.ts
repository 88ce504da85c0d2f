/**
 * The CLI and type-generation rows of the issue-14 table, from bench/cli-startup.bench.ts (run as
 * a child in the same session; it writes bench/results/cli-startup.json).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** One command's medians. */
export interface CliRow {
  readonly command: string;
  readonly medianMs: number;
  readonly p90Ms: number;
  readonly rssMb: number;
  /** The bound, when it sets one. */
  readonly targetMs?: number;
  readonly targetMb?: number;
}

/** What the issue bounds, by the command's name in cli-startup.json (a prefix). */
const TARGETS: ReadonlyArray<{ prefix: string; ms: number; mb?: number }> = [
  { prefix: 'opkit --help', ms: 150 },
  { prefix: 'create-operator --help', ms: 150 },
  { prefix: 'create-operator --yes --skip-install', ms: 500 },
  { prefix: 'generate types (corpus', ms: 500, mb: 150 },
  { prefix: 'generate types (synthetic CRD, 1.4', ms: 300 },
];

/**
 * Waits until the 1-minute load average is below `below` (at most `maxMs`): the CLI rows are
 * wall times of short processes, and run right after the rounds, whose load the average still
 * carries for a minute or two. Returns the load average it stopped at.
 */
export async function settle(below = 1, maxMs = 150_000): Promise<number> {
  const deadline = performance.now() + maxMs;
  while ((loadavg()[0] ?? 0) >= below && performance.now() < deadline) await sleep(5000);
  return loadavg()[0] ?? 0;
}

/**
 * Runs bench/cli-startup.bench.ts with `runs` runs per command (its output passes through) and
 * returns this checkout's rows with the bounds.
 * @throws Error when the child fails or its JSON lacks the commands.
 */
export function measureCli(repoRoot: string, runs: number): { rows: CliRow[]; floorMs: number; loadBefore: string; loadAfter: string } {
  // every command, this checkout only
  const { BASELINE_REF: _ref, BASELINE: _other, ONLY: _only, ...env } = process.env;
  const child = spawnSync(process.execPath, ['--import', 'tsx', join(repoRoot, 'bench', 'cli-startup.bench.ts')], {
    cwd: repoRoot,
    stdio: 'inherit',
    env: { ...env, RUNS: String(runs) },
  });
  if (child.status !== 0) throw new Error(`bench/cli-startup.bench.ts failed (exit ${child.status})`);
  const json = JSON.parse(readFileSync(join(repoRoot, 'bench', 'results', 'cli-startup.json'), 'utf8')) as {
    floorMs: number;
    loadBefore: string;
    loadAfter: string;
    results: Record<string, Record<string, { medianMs: number; p90Ms: number; rssMb: number }>>;
  };
  const rows: CliRow[] = [];
  for (const [command, byCheckout] of Object.entries(json.results)) {
    const now = byCheckout['this checkout'];
    if (!now) continue;
    const target = TARGETS.find((t) => command.startsWith(t.prefix));
    rows.push({ command, ...now, ...(target ? { targetMs: target.ms, ...(target.mb === undefined ? {} : { targetMb: target.mb }) } : {}) });
  }
  if (rows.length === 0) throw new Error('bench/results/cli-startup.json has no results for "this checkout"');
  return { rows, floorMs: json.floorMs, loadBefore: json.loadBefore, loadAfter: json.loadAfter };
}
