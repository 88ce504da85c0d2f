import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { cachedApiserverPath, cachedControllerManagerPath, cachedEtcdPath, defaultCacheDir, type ControlPlaneBinaries } from './assets.js';
import { TestEnvironmentError } from './errors.js';
import { DEFAULT_ETCD_VERSION, DEFAULT_KUBERNETES_VERSION } from './versions.js';

/** Options of {@link installBinaries}. */
export interface InstallOptions {
  /** Cache root (default {@link defaultCacheDir}). */
  readonly cacheDir?: string;
  /** Kubernetes release to build, `vMAJOR.MINOR.PATCH` (default {@link DEFAULT_KUBERNETES_VERSION}). */
  readonly kubernetesVersion?: string;
  /** etcd release to build (default {@link DEFAULT_ETCD_VERSION}). */
  readonly etcdVersion?: string;
  /** Rebuild even when the cache already has the binaries (default false). */
  readonly force?: boolean;
  /** Also build kube-controller-manager, for `TestEnvironment({ controllers })` (default true). */
  readonly controllerManager?: boolean;
  /** Receives one human-readable progress line at a time (default: none). */
  readonly onProgress?: (line: string) => void;
  /** The Go command (default `go` on the PATH). */
  readonly goCommand?: string;
  /** Extra environment for the Go toolchain (merged over `process.env`). */
  readonly env?: NodeJS.ProcessEnv;
}

/** What {@link installBinaries} did. */
export interface InstallResult extends ControlPlaneBinaries {
  /** Which binaries were built now (the others came from the cache). */
  readonly built: ReadonlyArray<'kube-apiserver' | 'etcd' | 'kube-controller-manager'>;
  /** The cached kube-controller-manager, unless `controllerManager: false`. */
  readonly kubeControllerManager?: string;
}

const VERSION_RE = /^v(\d+)\.(\d+)\.(\d+)$/;

/**
 * Builds kube-apiserver and kube-controller-manager (from the `k8s.io/kubernetes` module) and etcd
 * (from `go.etcd.io/etcd/server/v3`) with the Go toolchain and caches them by version.
 *
 * Guarantees: idempotent — binaries already in the cache are not rebuilt; a binary appears in the
 * cache only once fully built (atomic rename), so an interrupted build leaves nothing half-written;
 * `/version` of the built kube-apiserver reports the real release, not v0.0.0.
 *
 * Caveats: a cold build downloads a few hundred MB of Go modules and takes minutes on 2 cores;
 * kube-controller-manager is built after kube-apiserver and reuses its modules and most of Go's
 * build cache.
 *
 * @throws TestEnvironmentError `GoNotFound` when there is no Go toolchain, `BuildFailed` with Go's
 *   output when a step fails.
 */
export async function installBinaries(options: InstallOptions = {}): Promise<InstallResult> {
  const cacheDir = options.cacheDir ?? defaultCacheDir(options.env ? { ...process.env, ...options.env } : process.env);
  const k8s = options.kubernetesVersion ?? DEFAULT_KUBERNETES_VERSION;
  const etcd = options.etcdVersion ?? DEFAULT_ETCD_VERSION;
  for (const [name, v] of [
    ['Kubernetes', k8s],
    ['etcd', etcd],
  ] as const) {
    if (!VERSION_RE.test(v)) {
      throw new TestEnvironmentError({
        reason: 'BuildFailed',
        message: `${name} version "${v}" is not a release version; use the form v1.37.2.`,
      });
    }
  }
  const progress = options.onProgress ?? (() => undefined);
  const go = new GoToolchain(options.goCommand ?? 'go', { ...process.env, ...options.env }, progress);
  const apiserverPath = cachedApiserverPath(cacheDir, k8s);
  const etcdPath = cachedEtcdPath(cacheDir, etcd);
  const kcmPath = cachedControllerManagerPath(cacheDir, k8s);
  const built: Array<'kube-apiserver' | 'etcd' | 'kube-controller-manager'> = [];

  if (options.force || !existsSync(etcdPath)) {
    await go.ensureAvailable();
    progress(`building etcd ${etcd} from go.etcd.io/etcd/server/v3 …`);
    await buildInto(cacheDir, etcdPath, async (work) => {
      await writeFile(join(work, 'go.mod'), `module opkit.local/envtest/etcd\n\ngo 1.24\n\nrequire go.etcd.io/etcd/server/v3 ${etcd}\n`);
      await writeFile(join(work, 'main.go'), ETCD_MAIN);
      await go.run(['mod', 'tidy'], work, 'etcd: resolving modules');
      await go.build(work, 'etcd', ['-s', '-w'], 'etcd');
    });
    built.push('etcd');
  }
  if (options.force || !existsSync(apiserverPath)) {
    await go.ensureAvailable();
    progress(`building kube-apiserver ${k8s} from k8s.io/kubernetes …`);
    await buildInto(cacheDir, apiserverPath, async (work) => {
      const staging = await go.stagingModules(k8s, work, 'kube-apiserver');
      await writeFile(join(work, 'go.mod'), apiserverGoMod(k8s, staging));
      await writeFile(join(work, 'main.go'), APISERVER_MAIN);
      await go.run(['mod', 'tidy'], work, 'kube-apiserver: resolving modules');
      await go.build(work, 'kube-apiserver', versionLdflags(k8s), 'kube-apiserver');
    });
    built.push('kube-apiserver');
  }
  const withKcm = options.controllerManager !== false;
  if (withKcm && (options.force || !existsSync(kcmPath))) {
    await go.ensureAvailable();
    progress(`building kube-controller-manager ${k8s} from k8s.io/kubernetes …`);
    await buildInto(cacheDir, kcmPath, async (work) => {
      const staging = await go.stagingModules(k8s, work, 'kube-controller-manager');
      await writeFile(join(work, 'go.mod'), apiserverGoMod(k8s, staging).replace('opkit.local/envtest/kube-apiserver', 'opkit.local/envtest/kube-controller-manager'));
      await writeFile(join(work, 'main.go'), CONTROLLER_MANAGER_MAIN);
      await go.run(['mod', 'tidy'], work, 'kube-controller-manager: resolving modules');
      await go.build(work, 'kube-controller-manager', versionLdflags(k8s), 'kube-controller-manager');
    });
    built.push('kube-controller-manager');
  }
  progress(`kube-apiserver: ${apiserverPath}`);
  progress(`etcd:           ${etcdPath}`);
  if (withKcm) progress(`kube-controller-manager: ${kcmPath}`);
  return { kubeApiserver: apiserverPath, etcd: etcdPath, built, ...(withKcm ? { kubeControllerManager: kcmPath } : {}) };
}

/** The go.mod of the kube-apiserver main module: every staging module replaced by its release. */
export function apiserverGoMod(k8sVersion: string, stagingModules: readonly string[]): string {
  const staged = stagingVersion(k8sVersion);
  const replaces = stagingModules.map((m) => `\t${m} => ${m} ${staged}`).join('\n');
  return `module opkit.local/envtest/kube-apiserver\n\ngo 1.24\n\nrequire k8s.io/kubernetes ${k8sVersion}\n\nreplace (\n${replaces}\n)\n`;
}

/** `v1.37.2` → `v0.37.2`, the version Kubernetes publishes its staging modules under. */
export function stagingVersion(k8sVersion: string): string {
  const m = VERSION_RE.exec(k8sVersion);
  if (!m) throw new TestEnvironmentError({ reason: 'BuildFailed', message: `not a Kubernetes release: ${k8sVersion}` });
  return `v0.${m[2]}.${m[3]}`;
}

/** The staging modules `k8s.io/kubernetes`'s go.mod requires at `v0.0.0`. */
export function parseStagingModules(kubernetesGoMod: string): string[] {
  return [...kubernetesGoMod.matchAll(/^\s+(k8s\.io\/[\w.-]+) v0\.0\.0\s*$/gm)].map((m) => m[1] as string);
}

function versionLdflags(k8sVersion: string): string[] {
  const m = VERSION_RE.exec(k8sVersion) as RegExpExecArray;
  const pkg = 'k8s.io/component-base/version';
  return [
    '-s',
    '-w',
    `-X ${pkg}.gitVersion=${k8sVersion}`,
    `-X ${pkg}.gitMajor=${m[1]}`,
    `-X ${pkg}.gitMinor=${m[2]}`,
    `-X ${pkg}.gitTreeState=clean`,
    `-X ${pkg}.buildDate=1970-01-01T00:00:00Z`,
  ];
}

/** Runs `build` in a fresh work dir under the cache, then moves the result into `target`. */
async function buildInto(cacheDir: string, target: string, build: (work: string) => Promise<void>): Promise<void> {
  await mkdir(cacheDir, { recursive: true });
  const work = await mkdtemp(join(cacheDir, '.build-'));
  try {
    await build(work);
    const name = target.split('/').pop() as string;
    await mkdir(dirname(target), { recursive: true });
    await chmod(join(work, name), 0o755);
    await rename(join(work, name), target);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

class GoToolchain {
  #checked = false;

  constructor(
    private readonly command: string,
    private readonly env: NodeJS.ProcessEnv,
    private readonly progress: (line: string) => void,
  ) {}

  async ensureAvailable(): Promise<void> {
    if (this.#checked) return;
    try {
      const out = await this.capture(['version'], process.cwd());
      this.progress(`using ${out.trim()}`);
      this.#checked = true;
    } catch (cause) {
      throw new TestEnvironmentError({
        reason: 'GoNotFound',
        message:
          `The Go toolchain ("${this.command}") is needed to build kube-apiserver and etcd but could not be run. ` +
          `Install Go (e.g. \`apt-get install golang\` or your platform's package), or set KUBEBUILDER_ASSETS ` +
          `to a folder holding prebuilt kube-apiserver and etcd binaries.`,
        cause,
      });
    }
  }

  async stagingModules(k8sVersion: string, cwd: string, label: string): Promise<string[]> {
    this.progress(`${label}: downloading k8s.io/kubernetes ${k8sVersion} (large; minutes on a cold cache) …`);
    const out = await this.capture(['mod', 'download', '-json', `k8s.io/kubernetes@${k8sVersion}`], cwd);
    const info = JSON.parse(out) as { GoMod?: string; Error?: string };
    if (!info.GoMod) {
      throw new TestEnvironmentError({
        reason: 'BuildFailed',
        message: `go mod download k8s.io/kubernetes@${k8sVersion}: ${info.Error ?? out}`,
      });
    }
    const staged = parseStagingModules(await readFile(info.GoMod, 'utf8'));
    if (staged.length === 0) {
      throw new TestEnvironmentError({
        reason: 'BuildFailed',
        message: `k8s.io/kubernetes@${k8sVersion}'s go.mod lists no staging modules at v0.0.0`,
      });
    }
    return staged;
  }

  async run(args: string[], cwd: string, label: string): Promise<void> {
    this.progress(`${label} (go ${args.join(' ')})`);
    await this.capture(args, cwd);
  }

  async build(cwd: string, output: string, ldflags: string[], label: string): Promise<void> {
    const started = Date.now();
    let compiled = 0;
    const ticker = setInterval(() => {
      this.progress(`${label}: compiled ${compiled} packages (${Math.round((Date.now() - started) / 1000)}s)`);
    }, 15_000);
    try {
      await this.capture(['build', '-v', '-trimpath', '-o', output, '-ldflags', ldflags.join(' '), '.'], cwd, (line) => {
        if (!line.startsWith('#') && line.trim() !== '') compiled++;
      });
    } finally {
      clearInterval(ticker);
    }
    this.progress(`${label}: built in ${Math.round((Date.now() - started) / 1000)}s (${compiled} packages)`);
  }

  /** Runs go and returns stdout; rejects with stderr's tail on failure. */
  capture(args: string[], cwd: string, onStderrLine?: (line: string) => void): Promise<string> {
    return new Promise((resolvePromise, reject) => {
      const child = spawn(this.command, args, {
        cwd,
        env: { GOFLAGS: '-mod=mod', ...this.env },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      let partial = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => {
        const text = d.toString();
        stderr = (stderr + text).slice(-20_000);
        if (onStderrLine) {
          const lines = (partial + text).split('\n');
          partial = lines.pop() ?? '';
          lines.forEach(onStderrLine);
        }
      });
      child.on('error', reject);
      child.on('close', (code) => {
        if (code === 0) resolvePromise(stdout);
        else {
          const tail = stderr
            .split('\n')
            .filter((l) => !l.startsWith('go: downloading'))
            .slice(-30)
            .join('\n');
          reject(
            new TestEnvironmentError({
              reason: 'BuildFailed',
              message: `\`${this.command} ${args.join(' ')}\` failed in ${cwd} (exit ${code}):\n${tail}`,
            }),
          );
        }
      });
    });
  }
}

const ETCD_MAIN = `// Code generated by opkit-envtest. DO NOT EDIT.
package main

import (
\t"os"

\t"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() {
\tetcdmain.Main(os.Args)
}
`;

/** The main package of a Kubernetes component: its cobra command from k8s.io/kubernetes/cmd/<cmd>/app. */
function kubernetesMain(cmd: string, newCommand: string): string {
  return `// Code generated by opkit-envtest. DO NOT EDIT.
package main

import (
\t"os"
\t_ "time/tzdata"

\t"k8s.io/component-base/cli"
\t_ "k8s.io/component-base/logs/json/register"
\t_ "k8s.io/component-base/metrics/prometheus/clientgo"
\t_ "k8s.io/component-base/metrics/prometheus/version"
\t"k8s.io/kubernetes/cmd/${cmd}/app"
)

func main() {
\tos.Exit(cli.Run(app.${newCommand}()))
}
`;
}

const APISERVER_MAIN = kubernetesMain('kube-apiserver', 'NewAPIServerCommand');
const CONTROLLER_MANAGER_MAIN = kubernetesMain('kube-controller-manager', 'NewControllerManagerCommand');
