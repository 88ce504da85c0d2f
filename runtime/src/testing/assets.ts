import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { TestEnvironmentError } from './errors.js';
import { DEFAULT_ETCD_VERSION, DEFAULT_KUBERNETES_VERSION } from './versions.js';

/** Paths of the two control-plane binaries. */
export interface ControlPlaneBinaries {
  readonly kubeApiserver: string;
  readonly etcd: string;
}

/** Where binaries come from, resolved once from the environment at the entry point. */
export interface AssetOptions {
  /** Cache root (default: `$OPKIT_ENVTEST_CACHE`, else `$XDG_CACHE_HOME/opkit/envtest`, else `~/.cache/opkit/envtest`). */
  readonly cacheDir?: string;
  /** Kubernetes version to use from the cache (default {@link DEFAULT_KUBERNETES_VERSION}). */
  readonly kubernetesVersion?: string;
  /** etcd version to use from the cache (default {@link DEFAULT_ETCD_VERSION}). */
  readonly etcdVersion?: string;
  /** The environment to read overrides from (default `process.env`). */
  readonly env?: NodeJS.ProcessEnv;
}

/** The per-user cache root shared by the repository and every generated project. */
export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env['OPKIT_ENVTEST_CACHE']) return resolve(env['OPKIT_ENVTEST_CACHE']);
  const xdg = env['XDG_CACHE_HOME'];
  return join(xdg ? resolve(xdg) : join(homedir(), '.cache'), 'opkit', 'envtest');
}

/** The platform suffix of cached builds, e.g. `linux-amd64`. */
export function platformTag(): string {
  const arch = process.arch === 'x64' ? 'amd64' : process.arch;
  return `${process.platform}-${arch}`;
}

/** Where the cached kube-apiserver of `version` lives. */
export function cachedApiserverPath(cacheDir: string, version: string): string {
  return join(cacheDir, 'kube-apiserver', `${version}-${platformTag()}`, 'kube-apiserver');
}

/** Where the cached etcd of `version` lives. */
export function cachedEtcdPath(cacheDir: string, version: string): string {
  return join(cacheDir, 'etcd', `${version}-${platformTag()}`, 'etcd');
}

/** Where the cached kube-controller-manager of `version` lives. */
export function cachedControllerManagerPath(cacheDir: string, version: string): string {
  return join(cacheDir, 'kube-controller-manager', `${version}-${platformTag()}`, 'kube-controller-manager');
}

/**
 * Finds kube-controller-manager (needed only for `TestEnvironment({ controllers })`):
 * `TEST_ASSET_KUBE_CONTROLLER_MANAGER`, then the `KUBEBUILDER_ASSETS` folder, then Opkit's cache.
 *
 * @throws TestEnvironmentError `BinaryNotFound`, naming the install command and the variables.
 */
export function resolveControllerManager(options: AssetOptions = {}): string {
  const env = options.env ?? process.env;
  const explicit = env['TEST_ASSET_KUBE_CONTROLLER_MANAGER'];
  if (explicit) {
    if (!existsSync(explicit)) {
      throw new TestEnvironmentError({
        reason: 'BinaryNotFound',
        message: `TEST_ASSET_KUBE_CONTROLLER_MANAGER=${explicit} does not exist. Point it at a kube-controller-manager binary, or unset it to use Opkit's build (${INSTALL_HINT}).`,
      });
    }
    return resolve(explicit);
  }
  const assetsDir = env['KUBEBUILDER_ASSETS'];
  if (assetsDir && existsSync(join(assetsDir, 'kube-controller-manager'))) return resolve(join(assetsDir, 'kube-controller-manager'));
  const cached = cachedControllerManagerPath(options.cacheDir ?? defaultCacheDir(env), options.kubernetesVersion ?? DEFAULT_KUBERNETES_VERSION);
  if (existsSync(cached)) return cached;
  throw new TestEnvironmentError({
    reason: 'BinaryNotFound',
    message:
      `kube-controller-manager not found at ${cached} (TestEnvironment({ controllers }) runs it). Build it with \`${INSTALL_HINT}\` ` +
      `(needs the Go toolchain), or set TEST_ASSET_KUBE_CONTROLLER_MANAGER to a kube-controller-manager binary` +
      `${assetsDir ? ` (KUBEBUILDER_ASSETS=${assetsDir} has none)` : ''}.`,
  });
}

/** The install command named in every "binary not found" message. */
export const INSTALL_HINT = 'npx opkit-envtest install';

/**
 * Finds kube-apiserver and etcd, in controller-runtime envtest's order: `TEST_ASSET_KUBE_APISERVER`
 * and `TEST_ASSET_ETCD` for each binary, then the `KUBEBUILDER_ASSETS` folder, then Opkit's cache.
 *
 * @throws TestEnvironmentError `BinaryNotFound`, naming both ways out: the install command and the
 *   environment variables.
 */
export function resolveBinaries(options: AssetOptions = {}): ControlPlaneBinaries {
  const env = options.env ?? process.env;
  const cacheDir = options.cacheDir ?? defaultCacheDir(env);
  const assetsDir = env['KUBEBUILDER_ASSETS'];
  const find = (name: 'kube-apiserver' | 'etcd', explicitVar: string, cached: string): string => {
    const explicit = env[explicitVar];
    if (explicit) {
      if (!existsSync(explicit)) {
        throw new TestEnvironmentError({
          reason: 'BinaryNotFound',
          message: `${explicitVar}=${explicit} does not exist. Point it at a ${name} binary, or unset it to use Opkit's build (${INSTALL_HINT}).`,
        });
      }
      return resolve(explicit);
    }
    if (assetsDir) {
      const candidate = join(assetsDir, name);
      if (!existsSync(candidate)) {
        throw new TestEnvironmentError({
          reason: 'BinaryNotFound',
          message: `KUBEBUILDER_ASSETS=${assetsDir} has no ${name}. Put ${name} there, or unset KUBEBUILDER_ASSETS to use Opkit's build (${INSTALL_HINT}).`,
        });
      }
      return resolve(candidate);
    }
    if (existsSync(cached)) return cached;
    throw new TestEnvironmentError({
      reason: 'BinaryNotFound',
      message:
        `${name} not found at ${cached}. Build it with \`${INSTALL_HINT}\` (needs the Go toolchain), ` +
        `or set KUBEBUILDER_ASSETS to a folder holding kube-apiserver and etcd ` +
        `(or TEST_ASSET_KUBE_APISERVER / TEST_ASSET_ETCD to each binary).`,
    });
  };
  return {
    kubeApiserver: find(
      'kube-apiserver',
      'TEST_ASSET_KUBE_APISERVER',
      cachedApiserverPath(cacheDir, options.kubernetesVersion ?? DEFAULT_KUBERNETES_VERSION),
    ),
    etcd: find('etcd', 'TEST_ASSET_ETCD', cachedEtcdPath(cacheDir, options.etcdVersion ?? DEFAULT_ETCD_VERSION)),
  };
}
