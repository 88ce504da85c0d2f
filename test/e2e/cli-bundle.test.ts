/**
 * The built, bundled `opkit` (`node dist/cli/opkit.js`, as a user runs it) reports errors thrown
 * across the bundle's edge as the unbundled CLI did: a flag error prints the usage and exits 2; a
 * ScaffoldError thrown by the (unbundled) generators and a CodegenError thrown by the bundled type
 * generator print `error: <message>` without a stack and exit 1. Each relies on one class per error
 * type in the process (`instanceof` in cli/report.ts and cli/commands/generate.ts).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const cli = join(ROOT, 'dist/cli/opkit.js');

let outside: string;
let project: string;

function opkit(cwd: string, args: readonly string[]): { status: number | null; stdout: string; stderr: string } {
  const child = spawnSync(process.execPath, [cli, ...args], { cwd, encoding: 'utf8', timeout: 60_000 });
  return { status: child.status, stdout: child.stdout, stderr: child.stderr };
}

beforeAll(async () => {
  expect(existsSync(cli), `${cli} is missing: run npm run build first`).toBe(true);
  expect(readFileSync(cli, 'utf8'), 'dist/cli/opkit.js is not the bundle: run npm run build').toMatch(/from "\.\/chunks\//);
  outside = await mkdtemp(join(tmpdir(), 'opkit-bundle-outside-'));
  await writeFile(join(outside, 'package.json'), JSON.stringify({ name: 'not-an-operator', private: true }));
  project = await mkdtemp(join(tmpdir(), 'opkit-bundle-project-'));
  await writeFile(join(project, 'package.json'), JSON.stringify({ name: 'demo', private: true, opkit: { domain: 'example.com' } }));
});

afterAll(async () => {
  await rm(outside, { recursive: true, force: true });
  await rm(project, { recursive: true, force: true });
});

describe('the bundled opkit reports errors from both sides of the bundle', () => {
  it('--version reads the package version (the unbundled paths module finds the package root)', () => {
    const run = opkit(outside, ['--version']);
    expect(run.status).toBe(0);
    expect(run.stdout).toBe(`${(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version}\n`);
  });

  it('create api with an unknown flag: the UsageError of cli/args prints the usage, exit 2', () => {
    const run = opkit(project, ['create', 'api', '--bogus']);
    expect(run.status, run.stderr).toBe(2);
    expect(run.stderr).toMatch(/^error: Unknown option '--bogus'/);
    expect(run.stderr).toContain('Usage: opkit create api');
  });

  it('create api outside a project: the ScaffoldError of the generators is one message, exit 1', () => {
    const run = opkit(outside, ['create', 'api', '--group', 'web', '--version', 'v1', '--kind', 'Site']);
    expect(run.status, run.stderr).toBe(1);
    expect(run.stderr).toMatch(/^error: .* is not an Opkit project/);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  it('generate types with an unknown flag prints its usage, exit 2', () => {
    const run = opkit(project, ['generate', 'types', '--bogus']);
    expect(run.status, run.stderr).toBe(2);
    expect(run.stderr).toContain('Usage: opkit generate types');
  });

  it('generate types on a missing file: the CodegenError is one message naming the file, exit 1', () => {
    const run = opkit(project, ['generate', 'types', 'missing.yaml', '--out', 'out']);
    expect(run.status, run.stderr).toBe(1);
    expect(run.stderr).toMatch(/^error: missing\.yaml/);
    expect(run.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(join(project, 'out'))).toBe(false);
  });
});
