import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { clusterGuard, runDev } from '../../../cli/commands/dev.js';

const dirs: string[] = [];
const temp = (): string => {
  const dir = mkdtempSync(join(tmpdir(), 'opkit-dev-unit-'));
  dirs.push(dir);
  return dir;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function kubeconfig(dir: string, server: string): string {
  const path = join(dir, 'kubeconfig');
  writeFileSync(
    path,
    `apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n    server: ${server}\nusers:\n- name: u\n  user:\n    token: t\ncontexts:\n- name: x\n  context:\n    cluster: c\n    user: u\ncurrent-context: x\n`,
  );
  return path;
}

describe('opkit dev', () => {
  it('outside a project: exit 1 naming the fix, nothing written, nothing started', async () => {
    const dir = temp();
    const err: string[] = [];
    const code = await runDev([], { cwd: dir, env: {}, stdout: () => undefined, stderr: (t) => err.push(t), signal: AbortSignal.abort() });
    expect(code).toBe(1);
    expect(err.join('')).toMatch(/is not inside an Opkit project .*cd into your operator project, or create one with npm create operator\. Nothing was started/);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('refuses a KUBECONFIG that points at a real cluster unless --cluster, naming both ways out, before starting anything', async () => {
    const project = temp();
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'x-operator', opkit: { domain: 'example.com' } }));
    const env = { KUBECONFIG: kubeconfig(temp(), 'https://prod.example.com:6443') };
    const err: string[] = [];
    const code = await runDev([], { cwd: project, env, stdout: () => undefined, stderr: (t) => err.push(t), signal: AbortSignal.abort() });
    expect(code).toBe(1);
    expect(err.join('')).toMatch(/points at https:\/\/prod\.example\.com:6443, a real cluster; .*Unset KUBECONFIG to develop locally, or pass --cluster/);
    expect(existsSync(join(project, '.opkit'))).toBe(false);
  });

  it('clusterGuard: a local KUBECONFIG or none means the local control plane; --cluster uses the kubeconfig', () => {
    const dir = temp();
    expect(clusterGuard({}, false)).toBeUndefined();
    expect(clusterGuard({ KUBECONFIG: kubeconfig(dir, 'https://127.0.0.1:6443') }, false)).toBeUndefined();
    const real = kubeconfig(mkdirAndReturn(join(dir, 'real')), 'https://prod.example.com:6443');
    const chosen = clusterGuard({ KUBECONFIG: real }, true);
    expect(chosen?.kubeConfig.getCurrentCluster()?.server).toBe('https://prod.example.com:6443');
    expect(chosen?.kubeconfigPath).toBe(real);
  });

  it('usage errors exit 2', async () => {
    const code = await runDev(['--bogus'], { cwd: temp(), env: {}, stdout: () => undefined, stderr: () => undefined, signal: AbortSignal.abort() });
    expect(code).toBe(2);
  });
});

function mkdirAndReturn(dir: string): string {
  mkdirSync(dir, { recursive: true });
  return dir;
}
