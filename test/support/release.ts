/**
 * Helpers of the release test and the create benchmark: the three packages packed at a version of
 * their own (so no cache holds an older tarball of it), and commands run as a user would, in a
 * temp HOME with its own `.npmrc`.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { packAll, type PackedPackage } from '../../scripts/packages.js';

const TRIO = ['opkit', '@opkit/runtime', 'create-operator'];

/**
 * Packs the three packages (build first) and re-packs them at `version`, with the pins between
 * them moved to it (as `changeset version` would). Resolves to the re-packed tarballs.
 */
export async function packAtVersion(version: string, destination: string): Promise<PackedPackage[]> {
  const original = join(destination, 'original');
  mkdirSync(original, { recursive: true });
  const packed = await packAll(original);
  const result: PackedPackage[] = [];
  for (const p of packed) {
    const stage = mkdtempSync(join(destination, 'stage-'));
    execFileSync('tar', ['xzf', p.file, '-C', stage]);
    const manifestPath = join(stage, 'package', 'package.json');
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { version: string; dependencies?: Record<string, string> };
    manifest.version = version;
    for (const name of TRIO) {
      const spec = manifest.dependencies?.[name];
      if (spec !== undefined && manifest.dependencies !== undefined) manifest.dependencies[name] = spec.startsWith('^') ? `^${version}` : version;
    }
    writeFileSync(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
    const out = execFileSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', destination, join(stage, 'package')], { encoding: 'utf8' });
    const [entry] = JSON.parse(out) as Array<{ filename: string; size: number; unpackedSize: number; entryCount: number }>;
    if (entry === undefined) throw new Error(`npm pack of ${p.name} printed nothing`);
    result.push({ name: p.name, version, file: join(destination, entry.filename), size: entry.size, unpackedSize: entry.unpackedSize, entryCount: entry.entryCount });
  }
  return result;
}

/** A user's shell: a temp HOME with its own `.npmrc`, a PATH, and nothing of the test process's npm or vitest variables. */
export interface UserShell {
  readonly home: string;
  readonly env: NodeJS.ProcessEnv;
}

/** Options of {@link userShell}. */
export interface UserShellOptions {
  /** Lines of `$HOME/.npmrc`. */
  readonly npmrc: readonly string[];
  /** The `node` binary the shell runs (its folder comes first on PATH). Default: this process's. */
  readonly node?: string;
  /** More folders on PATH (after node's), e.g. where pnpm is. */
  readonly path?: readonly string[];
  /** More variables, e.g. the control-plane cache. */
  readonly env?: Readonly<Record<string, string>>;
}

/** Makes a user shell in a new folder under `parent`. */
export function userShell(parent: string, options: UserShellOptions): UserShell {
  const home = mkdtempSync(join(parent, 'home-'));
  writeFileSync(join(home, '.npmrc'), `${options.npmrc.join('\n')}\n`);
  const keep = ['PATH', 'LANG', 'LC_ALL', 'TZ', 'TMPDIR', 'GOPATH', 'GOCACHE', 'GOMODCACHE', 'GOPROXY', 'GOFLAGS'];
  const env: NodeJS.ProcessEnv = {};
  for (const key of keep) if (process.env[key] !== undefined) env[key] = process.env[key];
  const node = options.node ?? process.execPath;
  env['PATH'] = [dirname(node), ...(options.path ?? []), process.env['PATH'] ?? ''].join(delimiter);
  Object.assign(env, { HOME: home, CI: 'true', FORCE_COLOR: '0', NO_COLOR: '1', TERM: 'dumb', ...options.env });
  return { home, env };
}

/** How one command ended. */
export interface Ran {
  readonly code: number | null;
  readonly output: string;
  readonly ms: number;
}

/** Runs a command line (split on spaces; no shell) in `cwd` with the shell's environment. */
export function runIn(shell: UserShell, cwd: string, commandLine: string, timeoutMs = 900_000): Ran {
  const [command, ...args] = commandLine.split(' ');
  if (command === undefined) throw new Error('empty command');
  const start = performance.now();
  const result = spawnSync(command, args, { cwd, env: shell.env, encoding: 'utf8', timeout: timeoutMs, stdio: ['ignore', 'pipe', 'pipe'] });
  // eslint-disable-next-line no-control-regex
  const output = `${result.stdout ?? ''}\n${result.stderr ?? ''}${result.error ? `\n${result.error.message}` : ''}`.replace(/\x1b\[[0-9;]*m/g, '');
  return { code: result.status, output, ms: performance.now() - start };
}

/** A new temp folder for a release run. */
export function releaseTempDir(): string {
  return mkdtempSync(join(tmpdir(), 'opkit-release-'));
}
