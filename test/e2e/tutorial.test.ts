/**
 * docs/tutorial.md, done as a reader does it: scaffold with the built create-operator (installed
 * from this checkout), write the tutorial's files (test/fixtures/tutorial/, the very blocks of the
 * tutorial: test/unit/docs/tutorial.test.ts), regenerate types and RBAC, build with tsc strict, and
 * run the project's tests against a real control plane — a Website reconciled into a Deployment
 * and a Service with Ready and observedGeneration, changed, then deleted through its finalizer,
 * with the operator running as its own ServiceAccount. Needs `npm run build` first and the
 * control-plane binaries (the project's `pretest` builds them when missing).
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { parse } from 'yaml';
import { tutorialFiles } from '../support/tutorial.js';
import { stepRunner } from '../support/steps.js';

const ROOT = join(import.meta.dirname, '..', '..');
const CREATE_OPERATOR = join(ROOT, 'dist', 'cli', 'create-operator.js');
const tmp = mkdtempSync(join(tmpdir(), 'opkit-tutorial-'));
const project = join(tmp, 'website-operator');
const { run, report } = stepRunner();

interface Rule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
}

/** The verbs config/rbac/role.yaml grants on `group`/`resource`. */
function grantedVerbs(resource: string, group: string): string[] {
  const role = parse(readFileSync(join(project, 'config/rbac/role.yaml'), 'utf8')) as { rules: Rule[] };
  return [...new Set(role.rules.filter((r) => r.apiGroups.includes(group) && r.resources.includes(resource)).flatMap((r) => r.verbs))].sort();
}

beforeAll(() => {
  if (!existsSync(CREATE_OPERATOR)) throw new Error(`${CREATE_OPERATOR} is missing: run npm run build first`);
});

afterAll(() => {
  console.log(report('tutorial e2e timings:'));
  rmSync(tmp, { recursive: true, force: true });
});

describe('the Website operator of docs/tutorial.md', () => {
  test('1. scaffolds and installs: create-operator --group web --kind Website', () => {
    const output = run('create-operator', process.execPath, [CREATE_OPERATOR, 'website-operator', '--group', 'web', '--kind', 'Website', '--yes', '--skip-git'], tmp);
    expect(output).toContain('Created website-operator: kind Website (web.example.com/v1alpha1, namespaced)');
    expect(existsSync(join(project, 'node_modules', '@opkit', 'runtime', 'package.json'))).toBe(true);
  });

  test('npm lists no unreviewed install scripts, in the project or in this checkout', () => {
    for (const dir of [project, ROOT]) {
      expect(run('npm install-scripts ls', 'npm', ['install-scripts', 'ls'], dir), dir).toContain('No packages with unreviewed install scripts.');
    }
  });

  test('2-3. the tutorial\'s CRD, sample, controller and test are written; npm run generate types the new schema', () => {
    const files = tutorialFiles();
    expect([...files.keys()]).toEqual([
      'config/crd/web.example.com_websites.yaml',
      'config/samples/web.example.com_v1alpha1_website.yaml',
      'src/controllers/website.controller.ts',
      'test/website.controller.test.ts',
    ]);
    for (const [file, content] of files) {
      // Each replaces a scaffolded file of the same name: the tutorial adds no file.
      expect(existsSync(join(project, file)), file).toBe(true);
      mkdirSync(dirname(join(project, file)), { recursive: true });
      writeFileSync(join(project, file), content);
    }
    run('npm run generate', 'npm', ['run', 'generate'], project);
    const types = readFileSync(join(project, 'src/api/web.example.com/v1alpha1/index.ts'), 'utf8');
    expect(types).toContain('spec: WebsiteSpec;');
    // as read, the defaulted fields are there; as written (WebsiteSpecInput) they may be left out
    expect(types).toMatch(/export interface WebsiteSpec \{[^}]*image: string;[^}]*replicas: number;[^}]*port: number;/s);
    const input = types.slice(types.indexOf('export type WebsiteSpecInput'));
    expect(input).toMatch(/^export type WebsiteSpecInput = Omit<WebsiteSpec, 'replicas' \| 'port'> & \{/);
    expect(input).toMatch(/replicas\?: number;[\s\S]*port\?: number;/);
    expect(types).toContain('availableReplicas?: number;');
  });

  test('4. opkit generate rbac grants what the controller does, and no more', () => {
    run('opkit generate rbac', join(project, 'node_modules', '.bin', 'opkit'), ['generate', 'rbac'], project);
    expect(grantedVerbs('deployments', 'apps')).toEqual(['create', 'delete', 'get', 'list', 'patch', 'watch']);
    expect(grantedVerbs('services', '')).toEqual(['create', 'delete', 'get', 'list', 'patch', 'watch']);
    expect(grantedVerbs('websites', 'web.example.com')).toEqual(['get', 'list', 'patch', 'watch']);
    expect(grantedVerbs('websites/status', 'web.example.com')).toEqual(['patch']);
    expect(grantedVerbs('websites/finalizers', 'web.example.com')).toEqual(['update']);
  });

  test('5. builds with tsc strict and passes its tests against a real control plane, as its own ServiceAccount', () => {
    run('npm run build', 'npm', ['run', 'build'], project);
    const output = run('npm test', 'npm', ['test', '--', '--reporter=verbose'], project);
    expect(output).toContain('RBAC up to date');
    for (const name of [
      'a Website gets a Deployment and a Service it controls, and a Ready status for its generation',
      'a spec change reaches the Deployment, and the status follows the new generation',
      'a deleted Website is cleaned up: its Deployment and Service go, then its finalizer, then the Website',
      'every Website sample in config/samples is accepted by the API server',
    ]) {
      expect(output).toContain(name);
    }
    expect(output).toMatch(/Tests\s+4 passed/);
  });
});
