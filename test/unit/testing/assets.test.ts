import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  cachedApiserverPath,
  cachedControllerManagerPath,
  cachedEtcdPath,
  defaultCacheDir,
  resolveControllerManager,
  installBinaries,
  resolveBinaries,
  TestEnvironmentError,
} from '../../../runtime/src/testing/index.js';
import { apiserverGoMod, parseStagingModules, stagingVersion } from '../../../runtime/src/testing/install.js';

function fakeBinary(dir: string, name: string): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, name);
  writeFileSync(path, '#!/bin/sh\n');
  chmodSync(path, 0o755);
  return path;
}

describe('defaultCacheDir', () => {
  it('prefers OPKIT_ENVTEST_CACHE, then XDG_CACHE_HOME, then ~/.cache', () => {
    expect(defaultCacheDir({ OPKIT_ENVTEST_CACHE: '/c', XDG_CACHE_HOME: '/x' })).toBe('/c');
    expect(defaultCacheDir({ XDG_CACHE_HOME: '/x' })).toBe('/x/opkit/envtest');
    expect(defaultCacheDir({})).toMatch(/\.cache\/opkit\/envtest$/);
  });
});

describe('resolveBinaries', () => {
  const root = mkdtempSync(join(tmpdir(), 'opkit-assets-'));
  const cache = join(root, 'cache');
  const cachedApiserver = cachedApiserverPath(cache, 'v1.37.2');
  const cachedEtcd = cachedEtcdPath(cache, 'v3.6.16');
  fakeBinary(join(cachedApiserver, '..'), 'kube-apiserver');
  fakeBinary(join(cachedEtcd, '..'), 'etcd');
  const assets = join(root, 'assets');
  fakeBinary(assets, 'kube-apiserver');
  fakeBinary(assets, 'etcd');
  const explicit = fakeBinary(join(root, 'explicit'), 'my-etcd');
  const versions = { kubernetesVersion: 'v1.37.2', etcdVersion: 'v3.6.16' };

  it('uses the versioned cache when nothing overrides it', () => {
    expect(resolveBinaries({ cacheDir: cache, env: {}, ...versions })).toEqual({ kubeApiserver: cachedApiserver, etcd: cachedEtcd });
  });

  it('honours KUBEBUILDER_ASSETS over the cache', () => {
    expect(resolveBinaries({ cacheDir: cache, env: { KUBEBUILDER_ASSETS: assets }, ...versions })).toEqual({
      kubeApiserver: join(assets, 'kube-apiserver'),
      etcd: join(assets, 'etcd'),
    });
  });

  it('honours TEST_ASSET_ETCD over KUBEBUILDER_ASSETS, per binary', () => {
    const bins = resolveBinaries({ cacheDir: cache, env: { KUBEBUILDER_ASSETS: assets, TEST_ASSET_ETCD: explicit }, ...versions });
    expect(bins).toEqual({ kubeApiserver: join(assets, 'kube-apiserver'), etcd: explicit });
  });

  it('fails loudly, naming the install command and the environment variables, when nothing is found', () => {
    let err: unknown;
    try {
      resolveBinaries({ cacheDir: join(root, 'empty'), env: {}, ...versions });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(TestEnvironmentError);
    expect(err).toMatchObject({ reason: 'BinaryNotFound' });
    expect((err as Error).message).toContain('npx opkit-envtest install');
    expect((err as Error).message).toContain('KUBEBUILDER_ASSETS');
  });

  it('names a KUBEBUILDER_ASSETS folder that lacks a binary', () => {
    expect(() => resolveBinaries({ cacheDir: cache, env: { KUBEBUILDER_ASSETS: join(root, 'explicit') }, ...versions })).toThrow(
      /KUBEBUILDER_ASSETS=.*explicit has no kube-apiserver/,
    );
  });
});

describe('resolveControllerManager', () => {
  const root = mkdtempSync(join(tmpdir(), 'opkit-kcm-'));
  const cache = join(root, 'cache');

  it('prefers TEST_ASSET_KUBE_CONTROLLER_MANAGER, then KUBEBUILDER_ASSETS, then the cache', () => {
    const explicit = fakeBinary(join(root, 'explicit'), 'kube-controller-manager');
    const assets = join(root, 'assets');
    fakeBinary(assets, 'kube-controller-manager');
    const cached = fakeBinary(join(cachedControllerManagerPath(cache, 'v1.37.2'), '..'), 'kube-controller-manager');
    expect(resolveControllerManager({ cacheDir: cache, env: { TEST_ASSET_KUBE_CONTROLLER_MANAGER: explicit, KUBEBUILDER_ASSETS: assets } })).toBe(explicit);
    expect(resolveControllerManager({ cacheDir: cache, env: { KUBEBUILDER_ASSETS: assets } })).toBe(join(assets, 'kube-controller-manager'));
    expect(resolveControllerManager({ cacheDir: cache, env: {} })).toBe(cached);
  });

  it('names the install command and the variable when it is nowhere', () => {
    const err = (() => {
      try {
        return resolveControllerManager({ cacheDir: join(root, 'empty'), env: { KUBEBUILDER_ASSETS: join(root, 'none') } });
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(TestEnvironmentError);
    expect((err as Error).message).toMatch(/kube-controller-manager not found .*npx opkit-envtest install.*TEST_ASSET_KUBE_CONTROLLER_MANAGER.*KUBEBUILDER_ASSETS=.* has none/);
  });
});

describe('installBinaries', () => {
  it('explains both ways out when there is no Go toolchain and nothing cached', async () => {
    const cacheDir = mkdtempSync(join(tmpdir(), 'opkit-nogo-'));
    const err = await installBinaries({ cacheDir, goCommand: join(cacheDir, 'no-such-go') }).catch((e: unknown) => e);
    expect(err).toMatchObject({ reason: 'GoNotFound' });
    expect((err as Error).message).toMatch(/Install Go/);
    expect((err as Error).message).toContain('KUBEBUILDER_ASSETS');
  });

  it('does nothing, and needs no Go, when all three binaries are cached', async () => {
    const cacheDir = mkdtempSync(join(tmpdir(), 'opkit-cached-'));
    fakeBinary(join(cachedApiserverPath(cacheDir, 'v1.37.2'), '..'), 'kube-apiserver');
    fakeBinary(join(cachedEtcdPath(cacheDir, 'v3.6.16'), '..'), 'etcd');
    fakeBinary(join(cachedControllerManagerPath(cacheDir, 'v1.37.2'), '..'), 'kube-controller-manager');
    const result = await installBinaries({ cacheDir, goCommand: '/no/such/go', kubernetesVersion: 'v1.37.2', etcdVersion: 'v3.6.16' });
    expect(result.built).toEqual([]);
    expect(result.kubeControllerManager).toBe(cachedControllerManagerPath(cacheDir, 'v1.37.2'));
  });

  it('builds kube-controller-manager when only it is missing, and skips it with controllerManager: false', async () => {
    const cacheDir = mkdtempSync(join(tmpdir(), 'opkit-nokcm-'));
    fakeBinary(join(cachedApiserverPath(cacheDir, 'v1.37.2'), '..'), 'kube-apiserver');
    fakeBinary(join(cachedEtcdPath(cacheDir, 'v3.6.16'), '..'), 'etcd');
    const versions = { cacheDir, goCommand: '/no/such/go', kubernetesVersion: 'v1.37.2', etcdVersion: 'v3.6.16' };
    await expect(installBinaries(versions)).rejects.toMatchObject({ reason: 'GoNotFound' });
    const skipped = await installBinaries({ ...versions, controllerManager: false });
    expect(skipped.built).toEqual([]);
    expect(skipped.kubeControllerManager).toBeUndefined();
  });

  it('rejects a version that is not a release, naming it', async () => {
    await expect(installBinaries({ kubernetesVersion: 'latest' })).rejects.toThrow(/Kubernetes version "latest"/);
  });
});

describe('the kube-apiserver main module', () => {
  const kubernetesGoMod = `module k8s.io/kubernetes

require (
\tgithub.com/blang/semver/v4 v4.0.0
\tk8s.io/api v0.0.0
\tk8s.io/client-go v0.0.0
\tk8s.io/klog/v2 v2.130.1
)

replace (
\tk8s.io/api => ./staging/src/k8s.io/api
)
`;

  it('replaces exactly the staging modules kubernetes requires at v0.0.0 with their published release', () => {
    const staged = parseStagingModules(kubernetesGoMod);
    expect(staged).toEqual(['k8s.io/api', 'k8s.io/client-go']);
    const mod = apiserverGoMod('v1.37.2', staged);
    expect(mod).toContain('require k8s.io/kubernetes v1.37.2');
    expect(mod).toContain('\tk8s.io/api => k8s.io/api v0.37.2\n');
    expect(mod).toContain('\tk8s.io/client-go => k8s.io/client-go v0.37.2\n');
    expect(mod).not.toContain('klog');
  });

  it('maps a Kubernetes release to the staging version', () => {
    expect(stagingVersion('v1.34.10')).toBe('v0.34.10');
    expect(() => stagingVersion('1.34')).toThrow(/not a Kubernetes release/);
  });
});
