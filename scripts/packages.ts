/**
 * The three published packages (`opkit`, `@opkit/runtime`, `create-operator`): lockstep versions,
 * packing, the package linters (publint, attw) on every tarball, and `npm publish --dry-run`.
 *
 * `tsx scripts/packages.ts lint` (in `npm test`): lockstep check, pack, publint + attw.
 * `tsx scripts/packages.ts release` (`npm run release:check`): the same, then a dry-run publish.
 * @module
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The repository root (this file is in scripts/). */
export const REPO_ROOT = join(import.meta.dirname, '..');

/** The folders of the published packages, relative to the repository root. */
export const PACKAGE_DIRS = { opkit: '.', '@opkit/runtime': 'runtime', 'create-operator': 'create-operator' } as const;

/** A published package's name. */
export type PackageName = keyof typeof PACKAGE_DIRS;

interface Manifest {
  readonly name: string;
  readonly version: string;
  readonly dependencies?: Readonly<Record<string, string>>;
}

/** One packed tarball. */
export interface PackedPackage {
  readonly name: PackageName;
  readonly version: string;
  /** Absolute path of the .tgz. */
  readonly file: string;
  /** Compressed size in bytes. */
  readonly size: number;
  readonly unpackedSize: number;
  readonly entryCount: number;
}

function manifest(name: PackageName, root: string): Manifest {
  return JSON.parse(readFileSync(join(root, PACKAGE_DIRS[name], 'package.json'), 'utf8')) as Manifest;
}

/**
 * What breaks the lockstep rule: the three packages share one version, `create-operator` depends
 * on exactly that `opkit`, and `opkit` on `^<version>` of `@opkit/runtime`. Empty when it holds.
 */
export function lockstepProblems(root: string = REPO_ROOT): string[] {
  const opkit = manifest('opkit', root);
  const runtime = manifest('@opkit/runtime', root);
  const create = manifest('create-operator', root);
  const problems: string[] = [];
  for (const m of [runtime, create]) {
    if (m.version !== opkit.version) problems.push(`${m.name} is at ${m.version} but opkit is at ${opkit.version}: the three packages are released together (npx changeset version moves them as one group)`);
  }
  const pinned = create.dependencies?.['opkit'];
  if (pinned !== opkit.version) problems.push(`create-operator depends on opkit ${String(pinned)}, expected exactly ${opkit.version}`);
  const range = opkit.dependencies?.['@opkit/runtime'];
  if (range !== `^${runtime.version}`) problems.push(`opkit depends on @opkit/runtime ${String(range)}, expected ^${runtime.version}`);
  return problems;
}

/**
 * Packs the three packages into `destination` without running lifecycle scripts (build first:
 * `npm run build`). Resolves in the order of {@link PACKAGE_DIRS}.
 */
export async function packAll(destination: string, root: string = REPO_ROOT): Promise<PackedPackage[]> {
  const { stdout } = await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', destination, '--workspaces', '--include-workspace-root'], { cwd: root, maxBuffer: 64 * 1024 * 1024 });
  const packed = JSON.parse(stdout) as Array<{ name: string; version: string; filename: string; size: number; unpackedSize: number; entryCount: number }>;
  return (Object.keys(PACKAGE_DIRS) as PackageName[]).map((name) => {
    const p = packed.find((entry) => entry.name === name);
    if (p === undefined) throw new Error(`npm pack produced no tarball for ${name}`);
    return { name, version: p.version, file: join(destination, p.filename), size: p.size, unpackedSize: p.unpackedSize, entryCount: p.entryCount };
  });
}

async function tool(bin: string, args: readonly string[]): Promise<{ ok: boolean; output: string }> {
  try {
    const { stdout, stderr } = await run(join(REPO_ROOT, 'node_modules', '.bin', bin), args, { maxBuffer: 16 * 1024 * 1024, env: { ...process.env, FORCE_COLOR: '0' } });
    return { ok: true, output: `${stdout}${stderr}` };
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; message: string };
    return { ok: false, output: `${e.stdout ?? ''}${e.stderr ?? ''}` || e.message };
  }
}

/**
 * Runs publint (strict: warnings fail) and attw (ESM-only profile: the packages are ESM, so
 * `require` from CommonJS and node10 resolution are out of scope) on one tarball.
 * Resolves to the problems found, empty when both are clean.
 */
export async function lintTarball(file: string): Promise<string[]> {
  const [publint, attw] = await Promise.all([tool('publint', [file, '--strict']), tool('attw', [file, '--profile', 'esm-only', '--format', 'ascii', '--no-emoji', '--no-color'])]);
  const problems: string[] = [];
  if (!publint.ok) problems.push(`publint ${file}:\n${publint.output}`);
  if (!attw.ok) problems.push(`attw ${file}:\n${attw.output}`);
  return problems;
}

/** `npm publish --dry-run` of one tarball; rejects with npm's output when it fails. */
export async function publishDryRun(file: string): Promise<string> {
  const { stdout, stderr } = await run('npm', ['publish', '--dry-run', file], { maxBuffer: 16 * 1024 * 1024 });
  return `${stdout}${stderr}`;
}

function kb(bytes: number): string {
  return `${(bytes / 1024).toFixed(1)} kB`;
}

async function main(mode: string | undefined): Promise<number> {
  if (mode !== 'lint' && mode !== 'release') {
    process.stderr.write('usage: tsx scripts/packages.ts lint|release\n');
    return 2;
  }
  const problems = lockstepProblems();
  const dir = mkdtempSync(join(tmpdir(), 'opkit-pack-'));
  try {
    const packed = await packAll(dir);
    for (const p of packed) process.stdout.write(`[packages] ${p.name}@${p.version}: ${kb(p.size)} packed, ${kb(p.unpackedSize)} unpacked, ${p.entryCount} files\n`);
    for (const found of await Promise.all(packed.map((p) => lintTarball(p.file)))) problems.push(...found);
    if (problems.length === 0) process.stdout.write('[packages] publint and attw: clean\n');
    if (mode === 'release' && problems.length === 0) {
      for (const p of packed) {
        await publishDryRun(p.file);
        process.stdout.write(`[packages] npm publish --dry-run ${p.name}@${p.version}: ok\n`);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  for (const problem of problems) process.stderr.write(`[packages] ${problem}\n`);
  return problems.length === 0 ? 0 : 1;
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === import.meta.filename) {
  process.exitCode = await main(process.argv[2]);
}
