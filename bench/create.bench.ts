/**
 * What a user waits for and downloads: `npm create operator` next to `npm create vite` and
 * `pepr init`, measured in the same run on the same machine, each cold (an empty npm cache and a
 * local registry with empty storage, proxying to the registry npm is configured with) and then
 * warm (the same cache again). Each tool is split into its scaffold step (fetching the tool and
 * writing the files) and its install step (`npm install` of the new project), so the three are
 * measured alike: create-operator with `--skip-install`, pepr with `--skip-post-init`, create-vite
 * (which never installs). Also reports the tarball sizes of the three Opkit packages and the size
 * of each project's node_modules.
 *
 *   npx tsx bench/create.bench.ts            (needs npm run build; VITE=9.3.0 PEPR=1.1.4 by default)
 */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { installReleaseTools, startLocalRegistry } from '../test/support/registry.js';
import { packAtVersion, releaseTempDir, runIn, userShell, type UserShell } from '../test/support/release.js';

const VITE = process.env['VITE'] ?? '9.3.0';
const PEPR = process.env['PEPR'] ?? '1.1.4';
const tmp = releaseTempDir();
const version = `0.0.0-bench.${Date.now()}`;

interface Tool {
  readonly name: string;
  /** The scaffold command, run in the work folder; creates `dir`. */
  readonly create: string;
  readonly dir: string;
}

const TOOLS: Tool[] = [
  { name: 'npm create operator', create: `npm create operator@${version} my-op -- --yes --skip-install --skip-git`, dir: 'my-op' },
  { name: 'npm create vite', create: `npm create vite@${VITE} my-vite -- --template vanilla-ts --no-interactive`, dir: 'my-vite' },
  {
    name: 'pepr init',
    create: `npx --yes pepr@${PEPR} init --name my-pepr --description bench --error-behavior ignore --uuid ${randomUUID()} --yes --skip-post-init`,
    dir: 'my-pepr',
  },
];

interface Measured {
  readonly scaffoldMs: number;
  readonly installMs: number;
  readonly nodeModulesBytes: number;
}

function must(shell: UserShell, cwd: string, command: string): number {
  const ran = runIn(shell, cwd, command);
  if (ran.code !== 0) throw new Error(`${command} exited ${String(ran.code)}:\n${ran.output.slice(-4000)}`);
  return ran.ms;
}

function du(dir: string): number {
  return Number(execFileSync('du', ['-sb', dir], { encoding: 'utf8' }).split('\t')[0]);
}

/** One tool, cold then warm, each through a registry with fresh storage and the same npm cache. */
async function measure(tool: Tool, toolsBin: string, tarballs: readonly string[]): Promise<{ cold: Measured; warm: Measured }> {
  const cache = join(tmp, `cache-${tool.dir}`);
  const registry = await startLocalRegistry({ toolsBin, localOnly: ['opkit', '@opkit/runtime', 'create-operator'] });
  try {
    for (const tarball of tarballs) registry.publish(tarball);
    const once = (): Measured => {
      const shell = userShell(tmp, { npmrc: [`registry=${registry.url}`, `cache=${cache}`, 'fund=false', 'audit=false', 'update-notifier=false', 'loglevel=warn'] });
      const work = join(shell.home, 'work');
      mkdirSync(work);
      const scaffoldMs = must(shell, work, tool.create);
      const project = join(work, tool.dir);
      const installMs = must(shell, project, 'npm install --no-audit --no-fund');
      const nodeModulesBytes = du(join(project, 'node_modules'));
      rmSync(shell.home, { recursive: true, force: true });
      return { scaffoldMs, installMs, nodeModulesBytes };
    };
    const cold = once();
    const warm = once();
    return { cold, warm };
  } finally {
    await registry.stop();
  }
}

const s = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;
const mb = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

try {
  const toolsBin = installReleaseTools();
  const packed = await packAtVersion(version, join(tmp, 'packed'));
  console.log('tarballs:');
  for (const p of packed) console.log(`  ${p.name}: ${(p.size / 1024).toFixed(1)} kB packed, ${(p.unpackedSize / 1024).toFixed(1)} kB unpacked, ${p.entryCount} files`);
  const results: Array<[Tool, { cold: Measured; warm: Measured }]> = [];
  for (const tool of TOOLS) {
    const r = await measure(tool, toolsBin, packed.map((p) => p.file));
    console.log(`${tool.name}: cold scaffold ${s(r.cold.scaffoldMs)} + install ${s(r.cold.installMs)}; warm ${s(r.warm.scaffoldMs)} + ${s(r.warm.installMs)}; node_modules ${mb(r.cold.nodeModulesBytes)}`);
    results.push([tool, r]);
  }
  const [, operator] = results[0] ?? [];
  console.log('\n| tool | cold scaffold | cold install | cold total | warm total | node_modules |');
  console.log('| --- | --- | --- | --- | --- | --- |');
  for (const [tool, r] of results) {
    console.log(`| ${tool.name} | ${s(r.cold.scaffoldMs)} | ${s(r.cold.installMs)} | ${s(r.cold.scaffoldMs + r.cold.installMs)} | ${s(r.warm.scaffoldMs + r.warm.installMs)} | ${mb(r.cold.nodeModulesBytes)} |`);
  }
  if (operator !== undefined) {
    console.log('\nratios (npm create operator / other; < 1 is faster or smaller):');
    for (const [tool, r] of results.slice(1)) {
      const total = (m: Measured): number => m.scaffoldMs + m.installMs;
      console.log(
        `  vs ${tool.name}: cold total ${(total(operator.cold) / total(r.cold)).toFixed(2)}, warm total ${(total(operator.warm) / total(r.warm)).toFixed(2)}, ` +
          `cold scaffold ${(operator.cold.scaffoldMs / r.cold.scaffoldMs).toFixed(2)}, node_modules ${(operator.cold.nodeModulesBytes / r.cold.nodeModulesBytes).toFixed(2)}`,
      );
    }
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
