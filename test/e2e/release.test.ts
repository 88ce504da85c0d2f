/**
 * The release test: the three packages packed, published to a real npm registry on loopback
 * (verdaccio, proxying every other name to the registry npm is configured with), and then exactly
 * what the README tells users, in a temp HOME with its own .npmrc: `npm create operator@<version>
 * my-op -- --yes`, `npm test`, `npx opkit create api …`, `npm test`; the same with pnpm (strict
 * node_modules: an undeclared dependency fails); on Node 20 (this process's) and on Node 24 (from
 * the npm registry's `node` package). Then the bad input: no registry, and a Node that is too old.
 *
 * Reuses the user's npm cache (packages are packed at a version of their own, so no cache holds an
 * older build of them) and the control-plane cache. Leaves no process and no temp folder; prints
 * every step's time. Needs `npm run build` first and the control-plane binaries (the root `test`
 * script does both).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { defaultCacheDir } from '../../runtime/src/testing/assets.js';
import { freePort } from '../../runtime/src/testing/ports.js';
import type { PackedPackage } from '../../scripts/packages.js';
import { installReleaseTools, npmConfig, startLocalRegistry, type LocalRegistry } from '../support/registry.js';
import { packAtVersion, releaseTempDir, runIn, userShell, type Ran, type UserShell } from '../support/release.js';

const ROOT = join(import.meta.dirname, '..', '..');
const BASE_VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
/** A version no earlier run published: no npm or npx cache entry can stand in for this build. */
const VERSION = `${BASE_VERSION}-release.${Date.now()}`;
const tmp = releaseTempDir();
const timings: Array<[string, number]> = [];
let registry: LocalRegistry | undefined;
let toolsBin = '';
let packed: PackedPackage[] = [];
const nodes: Record<'20' | '24', string> = { '20': process.execPath, '24': '' };

function timed<T>(step: string, fn: () => T): T {
  const start = performance.now();
  try {
    return fn();
  } finally {
    timings.push([step, performance.now() - start]);
  }
}

async function timedAsync<T>(step: string, fn: () => Promise<T>): Promise<T> {
  const start = performance.now();
  try {
    return await fn();
  } finally {
    timings.push([step, performance.now() - start]);
  }
}

/** Runs a step that must succeed; fails with the end of its output otherwise. */
function step(label: string, shell: UserShell, cwd: string, commandLine: string): Ran {
  const ran = runIn(shell, cwd, commandLine);
  timings.push([label, ran.ms]);
  if (ran.code !== 0) throw new Error(`${label}: \`${commandLine}\` exited ${String(ran.code)}:\n${ran.output.slice(-8000)}`);
  return ran;
}

/** How many tests vitest reports passed; fails when it reports a failure. */
function passedTests(ran: Ran): number {
  expect(ran.output).not.toMatch(/Tests\s+.*\d+ failed/);
  const passed = /Tests\s+(\d+) passed/.exec(ran.output)?.[1];
  if (passed === undefined) throw new Error(`no vitest summary in:\n${ran.output.slice(-3000)}`);
  return Number(passed);
}

/** The .npmrc of a user of the local registry: its URL, the user's npm cache, quiet output. */
function npmrcFor(registryUrl: string): string[] {
  return [`registry=${registryUrl}`, `cache=${npmConfig('cache')}`, 'fund=false', 'audit=false', 'update-notifier=false', 'loglevel=warn'];
}

function shellFor(node: string, registryUrl: string, extra: readonly string[] = []): UserShell {
  return userShell(tmp, { npmrc: [...npmrcFor(registryUrl), ...extra], node, path: [toolsBin], env: { OPKIT_ENVTEST_CACHE: defaultCacheDir() } });
}

beforeAll(async () => {
  if (!existsSync(join(ROOT, 'dist', 'cli', 'create-operator.js'))) throw new Error('dist/ is missing: run npm run build first');
  toolsBin = timed('install verdaccio and pnpm (cached)', () => installReleaseTools());
  nodes['24'] = timed('node@24 from the npm registry (cached)', () => execFileSync('bash', [join(ROOT, 'scripts', 'node-from-npm.sh'), '24'], { encoding: 'utf8' }).trim());
  packed = await timedAsync(`pack the three packages at ${VERSION}`, () => packAtVersion(VERSION, join(tmp, 'packed')));
  registry = await timedAsync('start the local registry', () => startLocalRegistry({ toolsBin, localOnly: ['opkit', '@opkit/runtime', 'create-operator'] }));
  const r = registry;
  timed('publish the three packages', () => {
    for (const p of packed) r.publish(p.file);
  });
});

afterAll(async () => {
  await registry?.stop();
  rmSync(tmp, { recursive: true, force: true });
  // The npx folders of this run's one-off version would only pile up in the user's npm cache.
  for (const dir of npxEntriesOfThisRun()) rmSync(dir, { recursive: true, force: true });
  const total = timings.reduce((sum, [, ms]) => sum + ms, 0);
  console.log(['release e2e timings:', ...timings.map(([label, ms]) => `  ${label}: ${(ms / 1000).toFixed(1)} s`), `  total: ${(total / 1000).toFixed(1)} s`].join('\n'));
});

describe('the published packages', () => {
  test('the registry serves all three at the new version, create-operator pinned to the same opkit', async () => {
    const url = registry?.url ?? '';
    const create = (await (await fetch(`${url}create-operator/${VERSION}`)).json()) as { dependencies?: Record<string, string> };
    expect(create.dependencies).toEqual({ opkit: VERSION });
    const opkit = (await (await fetch(`${url}opkit/${VERSION}`)).json()) as { dependencies?: Record<string, string> };
    expect(opkit.dependencies?.['@opkit/runtime']).toBe(`^${VERSION}`);
    expect((await fetch(`${url}@opkit%2fruntime/${VERSION}`)).status).toBe(200);
  });
});

/** The folders of npm's npx cache that hold create-operator@VERSION (what `npm create operator@VERSION` installed). */
function npxEntriesOfThisRun(): string[] {
  const npx = join(npmConfig('cache'), '_npx');
  if (!existsSync(npx)) return [];
  return readdirSync(npx)
    .map((entry) => join(npx, entry))
    .filter((dir) => {
      const manifest = join(dir, 'node_modules', 'create-operator', 'package.json');
      return existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { version?: string }).version === VERSION;
    });
}

/** The bin of create-operator@VERSION in npm's npx cache. */
function installedCreateOperator(): string {
  const [entry] = npxEntriesOfThisRun();
  if (entry === undefined) throw new Error(`create-operator@${VERSION} is not in npm's npx cache`);
  return join(entry, 'node_modules', 'create-operator', 'index.js');
}

type Flow = { pm: 'npm' | 'pnpm'; node: '20' | '24' };
const FLOWS: Flow[] = [
  { pm: 'npm', node: '20' },
  { pm: 'pnpm', node: '20' },
  { pm: 'npm', node: '24' },
  { pm: 'pnpm', node: '24' },
];

describe.each(FLOWS)('$pm create operator on Node $node, as the README says', ({ pm, node }) => {
  test(`creates, tests, adds a kind and tests again`, () => {
    const shell = shellFor(nodes[node], registry?.url ?? '');
    const work = join(shell.home, 'work');
    mkdirSync(work);
    const tag = `${pm}/node${node}`;
    const create = pm === 'npm' ? `npm create operator@${VERSION} my-op -- --yes` : `pnpm create operator@${VERSION} my-op --yes`;
    const created = step(`${tag}: ${create.replace(VERSION, '<version>')}`, shell, work, create);
    expect(created.output).toContain(`Installing dependencies (${pm} install)`);
    expect(created.output).toContain(`${pm} test`);
    const project = join(work, 'my-op');
    const manifest = JSON.parse(readFileSync(join(project, 'package.json'), 'utf8')) as { dependencies: Record<string, string>; devDependencies: Record<string, string> };
    expect(manifest.dependencies['@opkit/runtime']).toBe(`^${VERSION}`);
    expect(manifest.devDependencies['opkit']).toBe(`^${VERSION}`);
    expect(existsSync(join(project, pm === 'npm' ? 'package-lock.json' : 'pnpm-lock.yaml'))).toBe(true);
    const runtimeManifest = JSON.parse(readFileSync(join(project, 'node_modules', '@opkit', 'runtime', 'package.json'), 'utf8')) as { version: string };
    expect(runtimeManifest.version).toBe(VERSION);

    const first = passedTests(step(`${tag}: ${pm} test`, shell, project, `${pm} test`));
    expect(first).toBeGreaterThan(0);
    const addKind = pm === 'npm' ? 'npx opkit create api --group cache --version v1 --kind Memcached' : 'pnpm exec opkit create api --group cache --version v1 --kind Memcached';
    step(`${tag}: ${addKind}`, shell, project, addKind);
    // The new kind brings its own controller test: more tests pass, none fails.
    expect(passedTests(step(`${tag}: ${pm} test (2 kinds)`, shell, project, `${pm} test`))).toBeGreaterThan(first);
    rmSync(shell.home, { recursive: true, force: true });
  });
});

describe('bad input', () => {
  test('with no registry to reach, npm create operator fails naming the registry and the cause, and writes nothing', async () => {
    const closed = `http://127.0.0.1:${await freePort()}/`;
    // fetch-retries=0: npm's default retries only make this wait a minute longer.
    const shell = shellFor(nodes['20'], closed, ['fetch-retries=0']);
    const work = join(shell.home, 'work');
    mkdirSync(work);
    const ran = runIn(shell, work, `npm create operator@${VERSION} offline-op -- --yes`);
    timings.push(['bad input: npm create operator with no registry', ran.ms]);
    expect(ran.code).not.toBe(0);
    expect(ran.output).toContain('ECONNREFUSED');
    expect(ran.output).toContain(closed.slice(0, -1));
    expect(readdirSync(work)).toEqual([]);
  });

  test('create-operator itself (fetched before), with the registry gone, names the cause and the fix and writes nothing', async () => {
    const warm = shellFor(nodes['20'], registry?.url ?? '');
    const warmWork = join(warm.home, 'work');
    mkdirSync(warmWork);
    step('bad input: fetch create-operator (--help)', warm, warmWork, `npm create operator@${VERSION} -- --help`);
    const bin = installedCreateOperator();
    const closed = `http://127.0.0.1:${await freePort()}/`;
    const shell = shellFor(nodes['20'], closed);
    const work = join(shell.home, 'work');
    mkdirSync(work);
    const ran = runIn(shell, work, `node ${bin} offline-op --yes`);
    timings.push(['bad input: create-operator with the registry gone', ran.ms]);
    expect(ran.code).toBe(1);
    expect(ran.output).toContain(`cannot reach the npm registry ${closed} (ECONNREFUSED)`);
    expect(ran.output).toContain('Fix: check the network connection');
    expect(ran.output).toContain('--skip-install');
    expect(readdirSync(work)).toEqual([]);
  });

  test('on a Node older than 20.19, npm create operator says which Node it needs and how to get it, and writes nothing', () => {
    const node18 = timed('node@18 from the npm registry (cached)', () => execFileSync('bash', [join(ROOT, 'scripts', 'node-from-npm.sh'), '18'], { encoding: 'utf8' }).trim());
    const shell = shellFor(node18, registry?.url ?? '');
    const work = join(shell.home, 'work');
    mkdirSync(work);
    const ran = runIn(shell, work, `npm create operator@${VERSION} old-node-op -- --yes`);
    timings.push(['bad input: npm create operator on Node 18', ran.ms]);
    expect(ran.code).toBe(1);
    expect(ran.output).toMatch(/Node 18\.\d+\.\d+ is not supported: Opkit needs Node >= 20\.19/);
    expect(ran.output).toContain('Install a newer Node');
    expect(readdirSync(work)).toEqual([]);
  });
});
