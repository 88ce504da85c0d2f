/**
 * The templates are not compiled with the CLI: this renders a project with two kinds (one
 * cluster-scoped; webhooks from `opkit create webhook` and `create api --conversion`) and
 * type-checks it (tsc strict, the project's own tsconfig) against the built runtime (`npm run build` first), without installing anything: a template that drifts from
 * `@opkit/runtime`'s API fails here in seconds, before the full end-to-end run.
 */
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { afterAll, expect, test } from 'vitest';
import { main as createOperator } from '../../cli/create-operator.js';
import { main as opkit } from '../../cli/opkit.js';
import { captureIo, CHECKOUT } from '../unit/generators/support.js';

// Inside the checkout's node_modules, so the project resolves vitest, client-node and @opkit/runtime from it.
const base = join(CHECKOUT, 'node_modules', '.cache', 'opkit-template-compile', String(process.pid));
afterAll(() => rmSync(base, { recursive: true, force: true }));

test('a generated project (two kinds, one cluster-scoped, with admission and conversion webhooks) type-checks against the runtime sources', async () => {
  mkdirSync(base, { recursive: true });
  const created = captureIo(base);
  expect(await createOperator(['webapp-operator', '--yes', '--skip-install', '--skip-git'], created.io)).toBe(0);
  const project = join(base, 'webapp-operator');
  const added = captureIo(project);
  expect(await opkit(['create', 'api', '--group', 'infra', '--version', 'v1', '--kind', 'ClusterCache', '--cluster-scoped'], added.io), added.stderr()).toBe(0);
  // webhooks: defaulting and validation on one kind, a second version with its conversion on the cluster-scoped one
  const webhooks = captureIo(project);
  expect(await opkit(['create', 'webhook', '--kind', 'Webapp', '--defaulting', '--validation'], webhooks.io), webhooks.stderr()).toBe(0);
  const version = captureIo(project);
  expect(await opkit(['create', 'api', '--group', 'infra', '--version', 'v2', '--kind', 'ClusterCache', '--conversion'], version.io), version.stderr()).toBe(0);

  const configPath = join(project, 'tsconfig.json');
  const config = ts.parseJsonConfigFileContent(JSON.parse(readFileSync(configPath, 'utf8')) as unknown, ts.sys, project);
  const { rootDir: _rootDir, ...options } = config.options;
  const program = ts.createProgram(config.fileNames, { ...options, noEmit: true });
  const diagnostics = ts
    .getPreEmitDiagnostics(program)
    .filter((d) => d.file === undefined || d.file.fileName.startsWith(project))
    .map((d) => {
      const where = d.file && d.start !== undefined ? `${d.file.fileName.slice(project.length + 1)}:${d.file.getLineAndCharacterOfPosition(d.start).line + 1}: ` : '';
      return `${where}${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
    });
  expect(diagnostics).toEqual([]);
}, 60_000);
