/**
 * The programs of the throughput comparison in bench/controller-runtime.bench.ts ("sides"): the two
 * operators, and the floor under them — the same API traffic (one list, one watch, one merge
 * patch per object with its answer parsed, each patch's watch event parsed) without a controller,
 * in Go (client-go alone), in Node (node:http2 or node:https alone) and through Opkit's transport,
 * client and watcher. A side whose name ends in `@node24` is the same Node program run on Node 24.
 * `node-tls` writes HTTP/1.1 itself over node:tls sockets: Node without its HTTP modules.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import type { OperatorCommand } from './operator-process.js';
import { opkitProgram, repoRoot } from './programs.js';

/** The sides, in the order the floor table lists them (cheapest layer first). */
export const SIDE_NAMES = ['go-raw', 'node-tls', 'node-http2', 'node-https', 'opkit-raw', 'controller-runtime', 'opkit', 'opkit@node24'] as const;

/** What `--sides` may name: the sides above, and any Node side with `@node24`. */
export const NODE_SIDES = ['node-tls', 'node-http2', 'node-https', 'opkit-raw', 'opkit'] as const;

/** One program of the throughput comparison. */
export interface Side {
  /** As `--sides` names it, e.g. `node-http2`, `opkit@node24`. */
  readonly name: string;
  /** What the table calls it. */
  readonly label: string;
  /** `operator`: a manager with a controller (bench/go operator, opkit-operator); `raw`: the traffic alone. */
  readonly kind: 'operator' | 'raw';
  readonly command: OperatorCommand;
  /** The runtime's version: Go's, or the Node binary's (`v24.…`). */
  readonly runtime: string;
}

const LABELS: Record<string, string> = {
  'go-raw': 'Go client-go raw (list + watch + patches, no controller)',
  'node-tls': 'Node minimal, HTTP/1.1 written over node:tls sockets (no node:http)',
  'node-http2': 'Node minimal, node:http2 (one session)',
  'node-https': 'Node minimal, node:https keep-alive HTTP/1.1',
  'opkit-raw': 'Opkit raw (transport + client + watcher, no controller)',
  'controller-runtime': 'controller-runtime operator',
  opkit: 'Opkit operator',
};

/**
 * Parses `--sides` (comma-separated) into sides, resolving each program once.
 * @throws Error naming an unknown side and the valid ones.
 */
export async function resolveSides(list: string, goBinary: () => Promise<string>, goVersion: string): Promise<Side[]> {
  const names = [...new Set(list.split(',').map((s) => s.trim()).filter((s) => s !== ''))];
  if (names.length === 0) throw new Error(`--sides is empty; pick from ${SIDE_NAMES.join(', ')} (any Node side may end in @node24)`);
  let node24: string | undefined;
  const sides: Side[] = [];
  for (const name of names) {
    const [base = '', at] = name.split('@');
    const onNode24 = at === 'node24';
    if ((at !== undefined && !onNode24) || !(base in LABELS) || (onNode24 && !(NODE_SIDES as readonly string[]).includes(base))) {
      throw new Error(`--sides: unknown side "${name}"; pick from ${SIDE_NAMES.join(', ')} (${NODE_SIDES.join(', ')} may end in @node24)`);
    }
    if (base === 'go-raw' || base === 'controller-runtime') {
      const command = await goBinary();
      sides.push({ name, label: LABELS[base] as string, kind: base === 'go-raw' ? 'raw' : 'operator', command: { command, args: [base === 'go-raw' ? 'raw' : 'operator'] }, runtime: goVersion });
      continue;
    }
    const program = opkitProgram(base === 'opkit' ? 'opkit-operator' : base === 'opkit-raw' ? 'opkit-raw' : 'node-raw');
    const protocol = base.startsWith('node-') ? ['--protocol', base.slice('node-'.length)] : [];
    let command = program.command;
    if (onNode24) command = node24 ??= nodeFromNpm(24);
    const runtime = onNode24 ? execFileSync(command, ['--version'], { encoding: 'utf8' }).trim() : process.version;
    sides.push({
      name,
      label: `${LABELS[base] as string}${onNode24 ? `, Node ${runtime}` : ''}`,
      kind: base === 'opkit' ? 'operator' : 'raw',
      command: { command, args: [...program.args, ...protocol] },
      runtime,
    });
  }
  return sides;
}

/**
 * The `node` binary of release line `major`, installed once from the npm registry's `node`
 * package into the per-user cache by scripts/node-from-npm.sh (the CI smoke test's Node 24).
 */
export function nodeFromNpm(major: number): string {
  const out = execFileSync('bash', [join(repoRoot, 'scripts', 'node-from-npm.sh'), String(major)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const path = out.trim().split('\n').pop() ?? '';
  if (path === '') throw new Error(`scripts/node-from-npm.sh ${major} printed no path`);
  return path;
}

/** The throughput run's arguments of a side's program. */
export function throughputArgs(side: Side, o: { ns: string; objects: number; concurrency: number; run: string }): string[] {
  if (side.kind === 'raw') return ['--namespace', o.ns, '--concurrency', String(o.concurrency), '--run', o.run];
  return ['--workload', 'throughput', '--namespace', o.ns, '--count', String(o.objects), '--concurrency', String(o.concurrency), '--run', o.run];
}

/** Round `round`'s order: the sides rotated by the round, so each takes every position in turn. */
export function roundOrder<T>(sides: readonly T[], round: number): T[] {
  const k = round % Math.max(1, sides.length);
  return [...sides.slice(k), ...sides.slice(0, k)];
}
