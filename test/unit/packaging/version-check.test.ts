import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { main as opkit, opkitVersion } from '../../../cli/opkit.js';
import { installedRuntimeVersion } from '../../../cli/version-check.js';
import { captureIo, tempDir } from '../generators/support.js';

const tmp = tempDir('opkit-versions-');
afterAll(() => tmp.remove());

/** A minimal Opkit project whose node_modules holds `@opkit/runtime` at `runtimeVersion`. */
function project(name: string, runtimeVersion: string | undefined): string {
  const root = join(tmp.dir, name);
  mkdirSync(join(root, 'src'), { recursive: true });
  writeFileSync(join(root, 'package.json'), JSON.stringify({ name, type: 'module', opkit: { domain: 'example.com' } }));
  writeFileSync(join(root, 'src', 'main.ts'), 'export {};\n');
  if (runtimeVersion !== undefined) {
    const pkg = join(root, 'node_modules', '@opkit', 'runtime');
    mkdirSync(pkg, { recursive: true });
    writeFileSync(join(pkg, 'package.json'), JSON.stringify({ name: '@opkit/runtime', version: runtimeVersion, exports: { './package.json': './package.json' } }));
  }
  return root;
}

describe('opkit and @opkit/runtime versions in a project', () => {
  test('a project whose @opkit/runtime is another version than opkit is refused, naming both and the fix, and nothing is written', async () => {
    const root = project('mismatched', '0.0.1-other');
    const before = readdirSync(root).sort();
    const captured = captureIo(root);
    const code = await opkit(['create', 'api', '--group', 'cache', '--version', 'v1', '--kind', 'Memcached'], captured.io);
    expect(code).toBe(1);
    const message = captured.stderr();
    expect(message).toContain(`opkit ${opkitVersion()} and @opkit/runtime 0.0.1-other disagree`);
    expect(message).toContain(`npm install @opkit/runtime@${opkitVersion()}`);
    expect(readdirSync(root).sort()).toEqual(before);
    expect(existsSync(join(root, 'config'))).toBe(false);
  });

  test('generate is refused the same way inside a mismatched project', async () => {
    const root = project('mismatched-generate', '9.9.9');
    const captured = captureIo(join(root, 'src'));
    expect(await opkit(['generate', 'types', 'config/crd', '--out', 'src/api'], captured.io)).toBe(1);
    expect(captured.stderr()).toContain('@opkit/runtime 9.9.9 disagree');
  });

  test('a project with the same version of both passes the check (create api goes on to the generator)', async () => {
    const root = project('matching', opkitVersion());
    const captured = captureIo(root);
    const code = await opkit(['create', 'api', '--group', 'cache', '--version', 'v1', '--kind', 'Memcached'], captured.io);
    expect(captured.stderr()).not.toContain('disagree');
    // It went on to the generator, which needs a whole project (this one is a stub).
    expect({ code, stderr: captured.stderr() }).toMatchObject({ code: 1, stderr: expect.stringContaining('config/crd/kustomization.yaml') as string });
  }, 30_000); // loads yeoman and ts-morph (the RBAC check) in the test: seconds on a loaded machine

  test('the installed runtime version is read from the project, and is absent before npm install', () => {
    expect(installedRuntimeVersion(project('installed', '1.2.3'))).toBe('1.2.3');
    expect(installedRuntimeVersion(project('not-installed', undefined))).toBeUndefined();
  });
});
