import { cpSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { main as createOperator } from '../../../cli/create-operator.js';
import { main as opkit } from '../../../cli/opkit.js';
import { captureIo, placeholder, readTree, tempDir } from './support.js';

const tmp = tempDir();
const template = join(tmp.dir, 'template');
let copies = 0;

beforeAll(async () => {
  const captured = captureIo(tmp.dir);
  const code = await createOperator(['template', '--yes', '--skip-install', '--skip-git', '--group', 'webapp', '--kind', 'Webapp'], captured.io);
  expect(code).toBe(0);
}, 60_000);
afterAll(() => tmp.remove());

/** A fresh copy of the generated project. */
function project(): string {
  copies += 1;
  const dir = join(tmp.dir, `project-${copies}`);
  cpSync(template, dir, { recursive: true });
  return dir;
}

async function createApi(cwd: string, args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const captured = captureIo(cwd);
  const code = await opkit(['create', 'api', ...args], captured.io);
  return { code, stdout: captured.stdout(), stderr: captured.stderr() };
}

interface CrdVersion {
  name: string;
  served: boolean;
  storage: boolean;
}

function crdVersions(text: string | undefined): CrdVersion[] {
  return ((parse(text ?? '') as { spec: { versions: CrdVersion[] } }).spec.versions).map(({ name, served, storage }) => ({ name, served, storage }));
}

describe('opkit create api: a new kind', { timeout: 60_000 }, () => {
  let dir: string;
  let before: Record<string, string>;
  let after: Record<string, string>;
  let stdout: string;

  beforeAll(async () => {
    dir = project();
    before = readTree(dir);
    const run = await createApi(dir, ['--group', 'cache', '--version', 'v1', '--kind', 'Memcached']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    after = readTree(dir);
    stdout = run.stdout;
  }, 60_000);

  test('lists each file as create or update (not yeoman\'s "force")', () => {
    expect(stdout).toMatch(/^ +create config\/crd\/cache\.example\.com_memcacheds\.yaml$/m);
    expect(stdout).toMatch(/^ +update src\/main\.ts$/m);
    expect(stdout).not.toMatch(/\bforce\b/);
  });

  test('adds the CRD, types, controller, sample and test', () => {
    const added = Object.keys(after).filter((f) => !(f in before));
    expect(added).toEqual([
      'config/crd/cache.example.com_memcacheds.yaml',
      'config/samples/cache.example.com_v1_memcached.yaml',
      'src/api/cache.example.com/v1/index.ts',
      'src/controllers/memcached.controller.ts',
      'test/memcached.controller.test.ts',
    ]);
  });

  test('changes only main.ts, RBAC and the kustomization lists', () => {
    const changed = Object.keys(before).filter((f) => before[f] !== after[f]);
    expect(changed).toEqual(['config/crd/kustomization.yaml', 'config/rbac/role.yaml', 'config/samples/kustomization.yaml', 'src/main.ts']);
  });

  test('registers the controller in main.ts (import and call), matching the snapshot', async () => {
    await expect(after['src/main.ts']).toMatchFileSnapshot('__snapshots__/create-api/src/main.ts.snap');
    await expect(after['config/rbac/role.yaml']).toMatchFileSnapshot('__snapshots__/create-api/config/rbac/role.yaml.snap');
    await expect(placeholder(after['config/crd/kustomization.yaml'] ?? '')).toMatchFileSnapshot('__snapshots__/create-api/config/crd/kustomization.yaml.snap');
  });

  test('a second identical run refuses with the kind named and changes nothing', async () => {
    const run = await createApi(dir, ['--group', 'cache', '--version', 'v1', '--kind', 'Memcached']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^error: kind Memcached \(cache.example.com\/v1\) already exists in config\/crd\/cache.example.com_memcacheds.yaml; pass --force[^\n]*\n$/);
    // One line of ours; yeoman's own failure line ("An error occured while running …") is not shown.
    expect(run.stdout).not.toMatch(/error occur/i);
    expect(readTree(dir)).toEqual(after);
  });

  test('--force regenerates the same files: nothing changes, the registration is not duplicated', async () => {
    const run = await createApi(dir, ['--group', 'cache', '--version', 'v1', '--kind', 'Memcached', '--force']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(readTree(dir)).toEqual(after);
  });
});

describe('opkit create api: a --group that already ends with the domain', { timeout: 60_000 }, () => {
  test('is the whole API group: web.example.com, not web.example.com.example.com', async () => {
    const dir = project();
    const run = await createApi(dir, ['--group', 'web.example.com', '--version', 'v1', '--kind', 'Website']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Added Website (web.example.com/v1)');
    const files = Object.keys(readTree(dir));
    expect(files).toContain('config/crd/web.example.com_websites.yaml');
    expect(files).toContain('src/api/web.example.com/v1/index.ts');
    expect(files.filter((f) => f.includes('example.com.example.com'))).toEqual([]);
  });
});

describe('opkit create api from a subfolder of the project', { timeout: 60_000 }, () => {
  test('finds the project root above the current folder', async () => {
    const dir = project();
    const run = await createApi(join(dir, 'src', 'controllers'), ['--group', 'cache', '--version', 'v1', '--kind', 'Memcached']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(Object.keys(readTree(dir))).toContain('src/controllers/memcached.controller.ts');
  });
});

describe('opkit create api: a new version of an existing kind', { timeout: 60_000 }, () => {
  test('adds the version to the CRD, served, with storage left on the old version, and its types', async () => {
    const dir = project();
    const before = readTree(dir);
    const run = await createApi(dir, ['--group', 'webapp', '--version', 'v1', '--kind', 'Webapp']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const after = readTree(dir);
    expect(crdVersions(after['config/crd/webapp.example.com_webapps.yaml'])).toEqual([
      { name: 'v1alpha1', served: true, storage: true },
      { name: 'v1', served: true, storage: false },
    ]);
    expect(after['src/api/webapp.example.com/v1/index.ts']).toContain("version: 'v1',");
    // The old version's types are unchanged but for the hash of their source (the CRD changed) and,
    // the CRD now having two versions and no conversion, the marker that says so (it round-trips).
    expect(after['src/api/webapp.example.com/v1alpha1/index.ts']).toContain(' * @conversion {"strategy":"None"}\n');
    const withoutHash = (text: string | undefined): string => (text ?? '').replace(/^\/\/ Source hash: .*$/m, '').replace(/^ \* @conversion \{"strategy":"None"\}\n/m, '');
    expect(withoutHash(after['src/api/webapp.example.com/v1alpha1/index.ts'])).toBe(withoutHash(before['src/api/webapp.example.com/v1alpha1/index.ts']));
    expect(after['config/samples/webapp.example.com_v1_webapp.yaml']).toContain('apiVersion: webapp.example.com/v1\n');
    expect(after['src/main.ts']).toBe(before['src/main.ts']);
  });

  test('--storage moves the storage version to the new one', async () => {
    const dir = project();
    const run = await createApi(dir, ['--group', 'webapp', '--version', 'v1beta1', '--kind', 'Webapp', '--storage']);
    expect(run.code).toBe(0);
    expect(crdVersions(readTree(dir)['config/crd/webapp.example.com_webapps.yaml'])).toEqual([
      { name: 'v1alpha1', served: true, storage: false },
      { name: 'v1beta1', served: true, storage: true },
    ]);
  });

  test('a kind with its own plural and scope keeps them in a new version when the flags do not name them', async () => {
    const dir = project();
    expect((await createApi(dir, ['--group', 'sea', '--version', 'v1alpha1', '--kind', 'Octopus', '--plural', 'octopi', '--cluster-scoped'])).code).toBe(0);
    const run = await createApi(dir, ['--group', 'sea', '--version', 'v1', '--kind', 'Octopus']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const files = readTree(dir);
    expect(crdVersions(files['config/crd/sea.example.com_octopi.yaml']).map((v) => v.name)).toEqual(['v1alpha1', 'v1']);
    expect(files['src/api/sea.example.com/v1/index.ts']).toContain('namespaced: false');
  });

  test('a second kind in the same group and version shares one types file', async () => {
    const dir = project();
    const run = await createApi(dir, ['--group', 'webapp', '--version', 'v1alpha1', '--kind', 'Backend']);
    expect(run.code).toBe(0);
    const types = readTree(dir)['src/api/webapp.example.com/v1alpha1/index.ts'] ?? '';
    expect(types).toContain('export const Backend: Resource<Backend>');
    expect(types).toContain('export const Webapp: Resource<Webapp>');
  });
});

describe('opkit create api refuses bad input, writing nothing', { timeout: 60_000 }, () => {
  let dir: string;
  let before: Record<string, string>;

  beforeAll(() => {
    dir = project();
    before = readTree(dir);
  });

  const cases: ReadonlyArray<{ name: string; args: string[]; message: RegExp }> = [
    { name: 'an invalid group', args: ['--group', 'Cache!', '--version', 'v1', '--kind', 'Memcached'], message: /group "Cache!" is not a DNS-1123 subdomain/ },
    { name: 'an invalid version', args: ['--group', 'cache', '--version', 'v1.0', '--kind', 'Memcached'], message: /version "v1.0" is not a Kubernetes API version/ },
    { name: 'a kind that is not PascalCase', args: ['--group', 'cache', '--version', 'v1', '--kind', 'memcached'], message: /kind "memcached" is not PascalCase/ },
    { name: 'a built-in kind in a core group', args: ['--group', 'apps', '--domain', '', '--version', 'v1', '--kind', 'Deployment'], message: /kind "Deployment" is built into Kubernetes/ },
    { name: 'a kind that exists', args: ['--group', 'webapp', '--version', 'v1alpha1', '--kind', 'Webapp'], message: /kind Webapp \(webapp.example.com\/v1alpha1\) already exists/ },
    { name: 'a new version with another scope', args: ['--group', 'webapp', '--version', 'v1', '--kind', 'Webapp', '--cluster-scoped'], message: /scope is per CRD/ },
    { name: 'a group that is the domain itself', args: ['--group', 'example.com', '--version', 'v1', '--kind', 'Memcached'], message: /group "example.com" is the project's domain itself/ },
    { name: 'a plural taken by another kind', args: ['--group', 'webapp', '--version', 'v1', '--kind', 'Webap', '--plural', 'webapps'], message: /plural "webapps" of API group webapp.example.com is already used by kind Webapp/ },
  ];

  test.each(cases)('$name: exit 1 with the value and rule named', async ({ args, message }) => {
    const run = await createApi(dir, args);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(message);
    expect(readTree(dir)).toEqual(before);
  });

  test('missing flags are a usage error (exit 2)', async () => {
    const run = await createApi(dir, ['--group', 'cache']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/missing --version, --kind \(in a terminal, opkit create api asks for them\)/);
    expect(readTree(dir)).toEqual(before);
  });

  test('outside a generated project: exit 1, nothing written', async () => {
    const outside = tempDir();
    try {
      writeFileSync(join(outside.dir, 'package.json'), '{ "name": "not-an-operator" }\n');
      const run = await createApi(outside.dir, ['--group', 'cache', '--version', 'v1', '--kind', 'Memcached']);
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/is not an Opkit project: its package.json has no "opkit"/);
      expect(readTree(outside.dir)).toEqual({ 'package.json': '{ "name": "not-an-operator" }\n' });
    } finally {
      outside.remove();
    }
  });

  test('a main.ts it does not understand: exit 1, a clear message, nothing written', async () => {
    const odd = project();
    const main = "import { start } from './somewhere.js';\nawait start();\n";
    writeFileSync(join(odd, 'src/main.ts'), main);
    const oddBefore = readTree(odd);
    const run = await createApi(odd, ['--group', 'cache', '--version', 'v1', '--kind', 'Memcached']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/src\/main.ts: it does not import Manager from @opkit\/runtime; .* Nothing was written. Register the controller by hand:/);
    expect(run.stderr).toContain("import { registerMemcachedController } from './controllers/memcached.controller.js';");
    expect(readTree(odd)).toEqual(oddBefore);
  });

  test('a malformed @rbac marker in the project: exit 1 naming file, line and fix, nothing written', async () => {
    const odd = project();
    const file = join(odd, 'src/controllers/webapp.controller.ts');
    writeFileSync(file, readTree(odd)['src/controllers/webapp.controller.ts']!.replace('/**\n', '/**\n * @rbac groups=apps resources=deployments verbs=get;lst\n'));
    const oddBefore = readTree(odd);
    const run = await createApi(odd, ['--group', 'cache', '--version', 'v1', '--kind', 'Memcached']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/src\/controllers\/webapp\.controller\.ts:\d+: @rbac: unknown verb "lst" .*Nothing was written/);
    expect(readTree(odd)).toEqual(oddBefore);
  });
});
