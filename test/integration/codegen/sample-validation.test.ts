/**
 * The generated project's test keeps config/samples valid against the CRD: a freshly scaffolded
 * project's test passes, and after a schema edit that drops a field the sample still sets, its
 * test fails naming the sample and the unknown field (server-side dry run with strict field
 * validation, against the real control plane the project's test starts).
 *
 * The project is rendered inside the checkout's node_modules (as the template compile check
 * does), so it resolves vitest, client-node and @opkit/runtime from the checkout without an
 * install; its test runs in a child process with the checkout's vitest.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { main as createOperator } from '../../../cli/create-operator.js';
import { captureIo, CHECKOUT } from '../../unit/generators/support.js';

const base = join(CHECKOUT, 'node_modules', '.cache', 'opkit-sample-validation', String(process.pid));
const vitest = join(CHECKOUT, 'node_modules', 'vitest', 'vitest.mjs');
afterAll(() => rmSync(base, { recursive: true, force: true }));

function projectTest(project: string): { status: number | null; output: string } {
  const child = spawnSync(process.execPath, [vitest, 'run', '--reporter', 'verbose'], { cwd: project, encoding: 'utf8', timeout: 300_000, env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' } });
  return { status: child.status, output: `${child.stdout}${child.stderr}` };
}

test('the scaffolded test validates config/samples against the CRD, and fails after a schema edit the sample does not follow', async () => {
  mkdirSync(base, { recursive: true });
  const created = captureIo(base);
  expect(await createOperator(['guestbook-operator', '--yes', '--skip-install', '--skip-git'], created.io), created.stderr()).toBe(0);
  const project = join(base, 'guestbook-operator');

  const fresh = projectTest(project);
  expect(fresh.output).toContain('is accepted by the API server');
  expect(fresh.status, fresh.output).toBe(0);

  const crdDir = join(project, 'config', 'crd');
  const crdFile = join(crdDir, readdirSync(crdDir).find((name) => name !== 'kustomization.yaml') ?? '');
  writeFileSync(crdFile, readFileSync(crdFile, 'utf8').replace('                foo:\n', '                size:\n'));
  const edited = projectTest(project);
  expect(edited.status).toBe(1);
  expect(edited.output).toMatch(/config\/samples\/\S+\.yaml is not valid against the \w+ CRD: .*unknown field "spec\.foo"/);
}, 600_000);
