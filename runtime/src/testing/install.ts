import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { cachedApiserverPath, cachedControllerManagerPath, cachedEtcdPath, defaultCacheDir, type ControlPlaneBinaries } from './assets.js';
import { TestEnvironmentError } from './errors.js';
import { buildInto, GoToolchain } from './go-build.js';
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
  const go = new GoToolchain({ command: options.goCommand ?? 'go', env: { ...process.env, ...options.env }, onProgress: progress });
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
      await go.build(work, join(work, 'etcd'), ['-s', '-w'], 'etcd');
    });
    built.push('etcd');
  }
  if (options.force || !existsSync(apiserverPath)) {
    await go.ensureAvailable();
    progress(`building kube-apiserver ${k8s} from k8s.io/kubernetes …`);
    await buildInto(cacheDir, apiserverPath, async (work) => {
      const staging = await stagingModulesOf(go, k8s, work, 'kube-apiserver', progress);
      await writeFile(join(work, 'go.mod'), apiserverGoMod(k8s, staging));
      await writeFile(join(work, 'main.go'), APISERVER_MAIN);
      await go.run(['mod', 'tidy'], work, 'kube-apiserver: resolving modules');
      await go.build(work, join(work, 'kube-apiserver'), versionLdflags(k8s), 'kube-apiserver');
    });
    built.push('kube-apiserver');
  }
  const withKcm = options.controllerManager !== false;
  if (withKcm && (options.force || !existsSync(kcmPath))) {
    await go.ensureAvailable();
    progress(`building kube-controller-manager ${k8s} from k8s.io/kubernetes …`);
    await buildInto(cacheDir, kcmPath, async (work) => {
      const staging = await stagingModulesOf(go, k8s, work, 'kube-controller-manager', progress);
      await writeFile(join(work, 'go.mod'), apiserverGoMod(k8s, staging).replace('opkit.local/envtest/kube-apiserver', 'opkit.local/envtest/kube-controller-manager'));
      await writeFile(join(work, 'main.go'), CONTROLLER_MANAGER_MAIN);
      await go.run(['mod', 'tidy'], work, 'kube-controller-manager: resolving modules');
      await go.build(work, join(work, 'kube-controller-manager'), versionLdflags(k8s), 'kube-controller-manager');
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

/** Downloads `k8s.io/kubernetes@version` and lists the staging modules its go.mod requires. */
async function stagingModulesOf(go: GoToolchain, k8sVersion: string, cwd: string, label: string, progress: (line: string) => void): Promise<string[]> {
  progress(`${label}: downloading k8s.io/kubernetes ${k8sVersion} (large; minutes on a cold cache) …`);
  const out = await go.capture(['mod', 'download', '-json', `k8s.io/kubernetes@${k8sVersion}`], cwd);
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
