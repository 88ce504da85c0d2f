import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runMigrate } from '../../../cli/commands/migrate.js';
import { main } from '../../../cli/opkit.js';
import { captureIo, tempDir } from '../generators/support.js';

describe('opkit migrate storage: usage', () => {
  const dirs: Array<() => void> = [];
  afterEach(() => dirs.splice(0).forEach((remove) => remove()));

  it('is listed in opkit --help and has its own help', async () => {
    const top = captureIo(process.cwd());
    expect(await main(['--help'], top.io)).toBe(0);
    expect(top.stdout()).toContain('migrate storage  rewrite a CRD\'s objects at its storage version');
    const help = captureIo(process.cwd());
    expect(await main(['help', 'migrate', 'storage'], help.io)).toBe(0);
    expect(help.stdout()).toContain('Usage: opkit migrate storage <crd> [options]');
  });

  it.each([
    [[], 'missing what to migrate (opkit migrate storage <crd>)'],
    [['data'], 'unknown: migrate data (opkit migrate storage <crd>)'],
    [['storage'], 'missing the CRD name, e.g. opkit migrate storage widgets.example.com'],
    [['storage', 'a.b', 'c'], 'unexpected argument c'],
    [['storage', 'a.b', '--page-size', '0'], '--page-size must be a positive integer, got 0'],
    [['storage', 'a.b', '--bogus'], "Unknown option '--bogus'"],
  ])('exits 2 naming the mistake for %j', async (argv, message) => {
    const run = captureIo(process.cwd());
    expect(await runMigrate(argv, run.io)).toBe(2);
    expect(run.stderr()).toContain(`error: ${message}`);
    expect(run.stderr()).toContain('Usage: opkit migrate storage');
  });

  it('exits 1 naming the kubeconfig when it cannot be read, or lacks the context', async () => {
    const { dir, remove } = tempDir('opkit-migrate-');
    dirs.push(remove);
    const missing = captureIo(dir);
    expect(await runMigrate(['storage', 'a.b', '--kubeconfig', join(dir, 'nope')], missing.io)).toBe(1);
    expect(missing.stderr()).toContain(`error: cannot load the kubeconfig ${join(dir, 'nope')}`);
    const path = join(dir, 'config');
    writeFileSync(path, 'apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: "https://127.0.0.1:1"}}]\nusers: [{name: u, user: {token: t}}]\ncontexts: [{name: one, context: {cluster: c, user: u}}]\ncurrent-context: one\n');
    const context = captureIo(dir);
    expect(await runMigrate(['storage', 'a.b', '--kubeconfig', path, '--context', 'two'], context.io)).toBe(1);
    expect(context.stderr()).toContain('no context two in the kubeconfig (it has: one)');
  });
});
