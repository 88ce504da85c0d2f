/**
 * A real npm registry on loopback for the release test and the create benchmark: verdaccio on
 * 127.0.0.1 with a free port and temp storage, serving the packages published to it and proxying
 * every other name to the registry npm is configured with (read at run time). The tools
 * (verdaccio, pnpm) are installed by `npm ci` from test/release/tools/ into a cache folder, once.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../runtime/src/testing/ports.js';
import { eventually } from './poll.js';

const TOOLS_MANIFESTS = join(import.meta.dirname, '..', 'release', 'tools');

/** The per-user cache folder the release tooling lives in (`$XDG_CACHE_HOME/opkit` or `~/.cache/opkit`). */
export function opkitCacheDir(): string {
  return join(process.env['XDG_CACHE_HOME'] ?? join(homedir(), '.cache'), 'opkit');
}

/** A value of npm's configuration, as npm itself reads it. */
export function npmConfig(key: string): string {
  return execFileSync('npm', ['config', 'get', key], { encoding: 'utf8' }).trim();
}

/**
 * Installs verdaccio and pnpm from test/release/tools/ (package.json and its lockfile) into a
 * cache folder keyed by the lockfile's hash, unless there already; returns that folder's
 * node_modules/.bin.
 */
export function installReleaseTools(): string {
  const lock = readFileSync(join(TOOLS_MANIFESTS, 'package-lock.json'));
  const dir = join(opkitCacheDir(), 'release-tools', createHash('sha256').update(lock).digest('hex').slice(0, 12));
  const bin = join(dir, 'node_modules', '.bin');
  if (!existsSync(join(bin, 'verdaccio')) || !existsSync(join(bin, 'pnpm'))) {
    mkdirSync(dir, { recursive: true });
    for (const file of ['package.json', 'package-lock.json']) cpSync(join(TOOLS_MANIFESTS, file), join(dir, file));
    execFileSync('npm', ['ci', '--no-audit', '--no-fund', '--ignore-scripts', '--loglevel=error'], { cwd: dir, stdio: ['ignore', 'ignore', 'inherit'] });
  }
  return bin;
}

/** A running local registry. */
export interface LocalRegistry {
  /** `http://127.0.0.1:<port>/` */
  readonly url: string;
  /** An auth token of a user who may publish. */
  readonly token: string;
  /** The `.npmrc` line that authenticates with `token`. */
  readonly authLine: string;
  /** Publishes a packed tarball. */
  publish(tarball: string): void;
  /** Stops the registry and removes its storage; idempotent. */
  stop(): Promise<void>;
}

/** Where the registry proxies to and which names it holds itself. */
export interface LocalRegistryOptions {
  /** The verdaccio binary folder (see {@link installReleaseTools}). */
  readonly toolsBin: string;
  /** The registry to proxy other names to. Default: `npm config get registry`. */
  readonly upstream?: string;
  /** Names served only from this registry, never proxied (the packages under test). */
  readonly localOnly: readonly string[];
}

function yamlString(value: string): string {
  return JSON.stringify(value);
}

/** Starts verdaccio on 127.0.0.1 with a free port and temp storage; resolves when it answers. */
export async function startLocalRegistry(options: LocalRegistryOptions): Promise<LocalRegistry> {
  const upstream = options.upstream ?? npmConfig('registry');
  const root = mkdtempSync(join(tmpdir(), 'opkit-registry-'));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}/`;
  const local = options.localOnly.map((name) => `  ${yamlString(name)}:\n    access: $all\n    publish: $authenticated\n    unpublish: $authenticated\n`).join('');
  writeFileSync(
    join(root, 'config.yaml'),
    [
      `storage: ${yamlString(join(root, 'storage'))}`,
      'auth:',
      '  htpasswd:',
      `    file: ${yamlString(join(root, 'htpasswd'))}`,
      '    max_users: 10',
      'uplinks:',
      '  upstream:',
      `    url: ${yamlString(upstream)}`,
      '    timeout: 60s',
      '    max_fails: 20',
      '    cache: true',
      'packages:',
      local.trimEnd(),
      "  '**':",
      '    access: $all',
      '    publish: $authenticated',
      '    proxy: upstream',
      'server:',
      '  keepAliveTimeout: 60',
      'log: { type: stdout, format: json, level: warn }',
      'publish:',
      '  allow_offline: true',
      '',
    ].join('\n'),
  );
  const cafile = npmConfig('cafile');
  const env: NodeJS.ProcessEnv = { PATH: process.env['PATH'], HOME: root, ...(cafile !== '' && cafile !== 'null' && cafile !== 'undefined' ? { NODE_EXTRA_CA_CERTS: cafile } : {}) };
  const child: ChildProcess = spawn(join(options.toolsBin, 'verdaccio'), ['--config', join(root, 'config.yaml'), '--listen', `127.0.0.1:${port}`], {
    cwd: root,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let logs = '';
  child.stdout?.on('data', (c: Buffer) => (logs = (logs + c.toString('utf8')).slice(-20_000)));
  child.stderr?.on('data', (c: Buffer) => (logs = (logs + c.toString('utf8')).slice(-20_000)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let stopped = false;
  const stop = async (): Promise<void> => {
    if (!stopped) {
      stopped = true;
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
        await exited;
        clearTimeout(timer);
      }
    }
    rmSync(root, { recursive: true, force: true });
  };
  try {
    await eventually(async () => (await fetch(`${url}-/ping`).catch(() => undefined))?.ok === true, { what: `verdaccio on ${url} (logs: ${logs})`, timeoutMs: 60_000 });
    const user = `opkit-release-${port}`;
    const res = await fetch(`${url}-/user/org.couchdb.user:${user}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: user, password: `pw-${port}-${Math.random().toString(36).slice(2)}`, type: 'user', roles: [] }),
    });
    const body = (await res.json()) as { token?: string };
    if (!res.ok || body.token === undefined) throw new Error(`could not add a user to verdaccio (${res.status}): ${JSON.stringify(body)}`);
    const token = body.token;
    const authLine = `//127.0.0.1:${port}/:_authToken=${token}`;
    const npmrc = join(root, 'publish.npmrc');
    writeFileSync(npmrc, `registry=${url}\n${authLine}\n`);
    return {
      url,
      token,
      authLine,
      publish(tarball: string): void {
        execFileSync('npm', ['publish', tarball, '--registry', url, '--userconfig', npmrc, '--access', 'public', '--loglevel=error', '--ignore-scripts', '--provenance=false', '--tag', 'latest', '--no-update-notifier'], {
          encoding: 'utf8',
          stdio: ['ignore', 'pipe', 'pipe'],
          env: { ...process.env, npm_config_userconfig: npmrc },
        });
      },
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
