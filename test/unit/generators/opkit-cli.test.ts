import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { main as opkit } from '../../../cli/opkit.js';
import { opkitDependencies } from '../../../generators/shared/paths.js';
import { captureIo, CHECKOUT, tempDir } from './support.js';

const tmp = tempDir();
afterAll(() => tmp.remove());

async function run(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const captured = captureIo(tmp.dir);
  const code = await opkit(args, captured.io);
  return { code, stdout: captured.stdout(), stderr: captured.stderr() };
}

describe('opkit', () => {
  test('--version prints the package version', async () => {
    const result = await run(['--version']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
  });

  test('help lists create api and generate', async () => {
    const result = await run(['help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('create api');
    expect(result.stdout).toContain('generate types');
  });

  test('help create api lists every flag', async () => {
    const result = await run(['help', 'create', 'api']);
    for (const flag of ['--group', '--version', '--kind', '--plural', '--domain', '--cluster-scoped', '--storage', '--force']) expect(result.stdout).toContain(flag);
  });

  test('envtest is dispatched to the control-plane CLI (an unknown subcommand is a usage error)', async () => {
    const result = await run(['envtest', 'launch']);
    expect(result.code).toBe(2);
  });

  test('an unknown command is a usage error', async () => {
    const result = await run(['deploy']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('error: unknown command deploy');
  });

  test('create of something other than api or webhook is a usage error', async () => {
    const result = await run(['create', 'widget']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('unknown: create widget (opkit create api, opkit create webhook)');
  });
});

describe('dependency specs of a generated project', () => {
  test('from a checkout: file: paths to the checkout, toolchain ranges from its manifests', () => {
    const deps = opkitDependencies(CHECKOUT);
    expect(deps.mode).toBe('checkout');
    expect(deps.runtime).toBe(`file:${join(CHECKOUT, 'runtime')}`);
    expect(deps.cli).toBe(`file:${CHECKOUT}`);
    expect(deps.packages.typescript).toMatch(/^[~^]5\./);
  });

  test('from an installed package (no runtime/ workspace): the published version range', () => {
    const root = join(tmp.dir, 'installed-opkit');
    mkdirSync(root);
    writeFileSync(join(root, 'package.json'), JSON.stringify({ name: 'opkit', version: '1.2.3', devDependencies: { typescript: '~5.9.3' } }));
    const deps = opkitDependencies(root);
    expect(deps).toMatchObject({ mode: 'published', runtime: '^1.2.3', cli: '^1.2.3' });
    expect(deps.packages['@kubernetes/client-node']).toBe('~1.4.0');
  });
});
