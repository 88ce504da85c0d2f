/**
 * End to end, as a user would: scaffold with the built CLI, install, build (tsc strict), run the
 * generated project's tests against a real control plane, add a second kind with `opkit create
 * api`, and build and test again. Needs `npm run build` first (the root `test` script does it) and
 * the control-plane binaries (the generated project's `pretest` builds them when missing).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
const CREATE_OPERATOR = join(ROOT, 'dist', 'cli', 'create-operator.js');
const tmp = mkdtempSync(join(tmpdir(), 'opkit-e2e-'));
const project = join(tmp, 'webapp-operator');
const timings: Array<[string, number]> = [];

/** Runs a command to completion; fails the test with its output when it exits non-zero. */
function run(step: string, command: string, args: readonly string[], cwd: string, timeoutMs = 600_000): string {
  const start = performance.now();
  const result = spawnSync(command, args, { cwd, encoding: 'utf8', timeout: timeoutMs, env: { ...process.env, CI: 'true', FORCE_COLOR: '0', NO_COLOR: '1' } });
  timings.push([step, performance.now() - start]);
  // eslint-disable-next-line no-control-regex
  const output = `${result.stdout}\n${result.stderr}`.replace(/\x1b\[[0-9;]*m/g, '');
  if (result.status !== 0) {
    throw new Error(`${step} failed (${command} ${args.join(' ')}, exit ${String(result.status)}${result.error ? `, ${result.error.message}` : ''}):\n${output.slice(-6000)}`);
  }
  return output;
}

beforeAll(() => {
  if (!existsSync(CREATE_OPERATOR)) throw new Error(`${CREATE_OPERATOR} is missing: run npm run build first`);
});

afterAll(() => {
  const total = timings.reduce((sum, [, ms]) => sum + ms, 0);
  console.log(['e2e timings:', ...timings.map(([step, ms]) => `  ${step}: ${(ms / 1000).toFixed(1)} s`), `  total: ${(total / 1000).toFixed(1)} s`].join('\n'));
  rmSync(tmp, { recursive: true, force: true });
});

describe('a generated operator', () => {
  test('scaffolds and installs with the built create-operator, without rebuilding the checkout', () => {
    const builtAt = statSync(CREATE_OPERATOR).mtimeMs;
    const output = run('create-operator (with npm install)', process.execPath, [CREATE_OPERATOR, 'webapp-operator', '--yes', '--skip-git'], tmp);
    expect(output).toContain('Installed dependencies');
    expect(existsSync(join(project, 'node_modules', '@opkit', 'runtime', 'package.json'))).toBe(true);
    expect(existsSync(join(project, 'node_modules', '.bin', 'opkit'))).toBe(true);
    expect(statSync(CREATE_OPERATOR).mtimeMs).toBe(builtAt);
  });

  test('builds with tsc strict', () => {
    run('npm run build', 'npm', ['run', 'build'], project);
    expect(existsSync(join(project, 'dist', 'src', 'main.js'))).toBe(true);
  });

  test('npm run generate reproduces the generated types exactly', () => {
    const before = readFileSync(join(project, 'src/api/webapp.example.com/v1alpha1/index.ts'), 'utf8');
    run('npm run generate', 'npm', ['run', 'generate'], project);
    expect(readFileSync(join(project, 'src/api/webapp.example.com/v1alpha1/index.ts'), 'utf8')).toBe(before);
  });

  test('passes its own controller test against a real control plane', () => {
    const output = run('npm test', 'npm', ['test'], project);
    expect(output).toMatch(/Tests\s+1 passed/);
  });

  test('opkit create api adds a second kind that builds and passes its test too', () => {
    run('opkit create api', join(project, 'node_modules', '.bin', 'opkit'), ['create', 'api', '--group', 'cache', '--version', 'v1', '--kind', 'Memcached'], project);
    expect(readFileSync(join(project, 'src/main.ts'), 'utf8')).toContain('registerMemcachedController(mgr);');
    run('npm run build (2 kinds)', 'npm', ['run', 'build'], project);
    const output = run('npm test (2 kinds)', 'npm', ['test'], project);
    expect(output).toMatch(/Tests\s+2 passed/);
  });
});
