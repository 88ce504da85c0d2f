import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { TestAdapter } from '@yeoman/adapter/testing';
import { main } from '../../../cli/create-operator.js';
import { generateRbac } from '../../../codegen/rbac/generate-rbac.js';
import { runGenerator } from '../../../generators/run.js';
import { opkitDependencies } from '../../../generators/shared/paths.js';
import { captureIo, CHECKOUT, placeholder, readTree, tempDir } from './support.js';

const tmp = tempDir();
afterAll(() => tmp.remove());

async function create(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const captured = captureIo(tmp.dir);
  const code = await main(args, captured.io);
  return { code, stdout: captured.stdout(), stderr: captured.stderr() };
}

describe('create-operator --yes (defaults)', { timeout: 60_000 }, () => {
  let files: Record<string, string>;
  let stdout: string;

  beforeAll(async () => {
    const run = await create(['webapp-operator', '--yes', '--skip-install', '--skip-git']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    stdout = run.stdout;
    files = readTree(join(tmp.dir, 'webapp-operator'));
  }, 60_000);

  test('writes the project layout of the design', () => {
    expect(Object.keys(files)).toEqual([
      '.dockerignore',
      '.gitignore',
      'Dockerfile',
      'README.md',
      'config/crd/kustomization.yaml',
      'config/crd/webapp.example.com_webapps.yaml',
      'config/default/kustomization.yaml',
      'config/manager/kustomization.yaml',
      'config/manager/manager.yaml',
      'config/rbac/kustomization.yaml',
      'config/rbac/leader_election_role.yaml',
      'config/rbac/leader_election_role_binding.yaml',
      'config/rbac/role.yaml',
      'config/rbac/role_binding.yaml',
      'config/rbac/service_account.yaml',
      'config/samples/kustomization.yaml',
      'config/samples/webapp.example.com_v1alpha1_webapp.yaml',
      'package.json',
      'src/api/webapp.example.com/v1alpha1/index.ts',
      'src/controllers/webapp.controller.ts',
      'src/main.ts',
      'test/webapp.controller.test.ts',
      'tsconfig.json',
      'vitest.config.ts',
    ]);
  });

  test('every generated file matches its snapshot', async () => {
    for (const [path, content] of Object.entries(files)) {
      await expect(placeholder(content), path).toMatchFileSnapshot(`__snapshots__/webapp-operator/${path}.snap`);
    }
  });

  test('the project depends on this checkout by file: paths', () => {
    const pkg = JSON.parse(files['package.json'] ?? '{}') as { dependencies: Record<string, string>; devDependencies: Record<string, string> };
    expect(placeholder(pkg.dependencies['@opkit/runtime'] ?? '')).toBe('file:<OPKIT_ROOT>/runtime');
    expect(placeholder(pkg.devDependencies['opkit'] ?? '')).toBe('file:<OPKIT_ROOT>');
  });

  test('lists every file it wrote, as yeoman does', () => {
    for (const path of Object.keys(files)) expect(stdout).toContain(`   create webapp-operator/${path}\n`);
  });

  test('its RBAC is what opkit generate rbac derives from its controller (written without analysing the code)', async () => {
    const result = await generateRbac({ cwd: join(tmp.dir, 'webapp-operator'), check: true });
    expect(result.controllers).toBe(1);
    expect(result.files.map((f) => [f.path, f.status]).sort()).toEqual([
      ['config/rbac/leader_election_role.yaml', 'unchanged'],
      ['config/rbac/role.yaml', 'unchanged'],
      ['config/rbac/role_binding.yaml', 'unchanged'],
    ]);
    expect(files['config/rbac/role.yaml']).toContain('      - webapps/status\n');
  });

  test('the yeoman generators (the interactive path) write the same files for the same answers', async () => {
    const adapter = new TestAdapter({ mockedAnswers: { write: true } });
    const given = { directory: 'webapp-operator-yeoman', projectName: 'webapp-operator', domain: 'example.com', group: 'webapp', version: 'v1alpha1', kind: 'Webapp', plural: 'webapps', clusterScoped: false };
    await runGenerator({ generator: 'app', options: { ...given, interactive: true, dependencies: opkitDependencies() } }, tmp.dir, captureIo(tmp.dir).io, adapter);
    expect(readTree(join(tmp.dir, 'webapp-operator-yeoman'))).toEqual(files);
  });

  test('prints the next steps, with npm install since it was skipped', () => {
    expect(stdout).toContain('Created webapp-operator: kind Webapp (webapp.example.com/v1alpha1, namespaced)');
    expect(stdout).toContain('  npm install\n');
  });
});

describe('create-operator with every flag', { timeout: 60_000 }, () => {
  test('a cluster-scoped Policy in group security.acme.io at v1 gets plural policies', async () => {
    const run = await create(['guard', '--yes', '--skip-install', '--skip-git', '--domain', 'acme.io', '--group', 'security', '--version', 'v1', '--kind', 'Policy', '--cluster-scoped', '--name', 'guard-op']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const files = readTree(join(tmp.dir, 'guard'));
    expect(JSON.parse(files['package.json'] ?? '{}')).toMatchObject({ name: 'guard-op', opkit: { domain: 'acme.io' } });
    const crd = files['config/crd/security.acme.io_policies.yaml'] ?? '';
    expect(crd).toContain('name: policies.security.acme.io');
    expect(crd).toContain('scope: Cluster');
    expect(crd).toContain('- name: v1\n');
    expect(files['src/api/security.acme.io/v1/index.ts']).toContain('namespaced: false');
    expect(files['test/policy.controller.test.ts']).toContain("const key = { name: 'policy-sample' };");
    expect(files['src/main.ts']).toContain('registerPolicyController(mgr);');
  });

  test('a --group that already ends with the domain is the whole API group, not doubled', async () => {
    const run = await create(['site-op', '--yes', '--skip-install', '--skip-git', '--group', 'web.example.com', '--kind', 'Website']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('kind Website (web.example.com/v1alpha1, namespaced)');
    const files = readTree(join(tmp.dir, 'site-op'));
    expect(Object.keys(files)).toContain('config/crd/web.example.com_websites.yaml');
    expect(Object.keys(files).filter((f) => f.includes('example.com.example.com'))).toEqual([]);
    expect(files['config/crd/web.example.com_websites.yaml']).toContain('  group: web.example.com\n');
  });

  test('a Cyrillic folder name gives a transliterated package name', async () => {
    const run = await create(['мой-сайт', '--yes', '--skip-install', '--skip-git']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(JSON.parse(readTree(join(tmp.dir, 'мой-сайт'))['package.json'] ?? '{}')).toMatchObject({ name: 'moy-sayt' });
    expect(run.stdout).toContain('Created moy-sayt: kind MoySayt (moy-sayt.example.com/v1alpha1, namespaced)');
  });

  test('the generated package.json allows esbuild\'s install script and denies the linked checkout\'s prepare (npm 11 warns about both otherwise)', async () => {
    const run = await create(['scripts-op', '--yes', '--skip-install', '--skip-git']);
    expect(run.code).toBe(0);
    const pkg = JSON.parse(readTree(join(tmp.dir, 'scripts-op'))['package.json'] ?? '{}') as { allowScripts?: unknown; devDependencies: Record<string, string> };
    expect(pkg.allowScripts).toEqual({ esbuild: true, [`file:${CHECKOUT}`]: false });
    expect(pkg.devDependencies['opkit']).toBe(`file:${CHECKOUT}`);
  });

  test('--plural overrides the English plural', async () => {
    const run = await create(['octo', '--yes', '--skip-install', '--skip-git', '--kind', 'Octopus', '--plural', 'octopi']);
    expect(run.code).toBe(0);
    expect(Object.keys(readTree(join(tmp.dir, 'octo')))).toContain('config/crd/octo.example.com_octopi.yaml');
  });

  test('--force writes into a non-empty folder and keeps unrelated files', async () => {
    const dir = join(tmp.dir, 'existing');
    mkdirSync(dir);
    writeFileSync(join(dir, 'NOTES.md'), 'keep me\n');
    const run = await create(['existing', '--yes', '--skip-install', '--skip-git', '--force']);
    expect(run.code).toBe(0);
    const files = readTree(dir);
    expect(files['NOTES.md']).toBe('keep me\n');
    expect(files['src/main.ts']).toContain('registerExistingController(mgr);');
  });

  test('without --skip-git the project becomes a git repository', async () => {
    const run = await create(['gitted', '--yes', '--skip-install']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/initialized a git repository/);
    expect(existsSync(join(tmp.dir, 'gitted', '.git'))).toBe(true);
  });

  test('"." creates the project in the current (empty) folder, named after it', async () => {
    const dir = join(tmp.dir, 'here-operator');
    mkdirSync(dir);
    const captured = captureIo(dir);
    expect(await main(['.', '--yes', '--skip-install', '--skip-git'], captured.io)).toBe(0);
    expect(captured.stdout()).toContain('Created here-operator: kind Here (here.example.com/v1alpha1, namespaced) in .');
    expect(captured.stdout()).not.toContain('  cd ');
    expect(JSON.parse(readTree(dir)['package.json'] ?? '{}')).toMatchObject({ name: 'here-operator' });
  });

  test('--help lists every flag', async () => {
    const run = await create(['--help']);
    expect(run.code).toBe(0);
    for (const flag of ['--name', '--domain', '--group', '--version', '--kind', '--plural', '--cluster-scoped', '--yes', '--skip-install', '--skip-git', '--force', '--help']) {
      expect(run.stdout).toContain(flag);
    }
  });
});

describe('create-operator refuses bad input, writing nothing', { timeout: 60_000 }, () => {
  const cases: ReadonlyArray<{ name: string; args: string[]; message: RegExp }> = [
    { name: 'a group that is not a DNS-1123 subdomain', args: ['--group', 'Web_App'], message: /group "Web_App" is not a DNS-1123 subdomain/ },
    { name: 'a kind that is not PascalCase', args: ['--kind', 'webapp'], message: /kind "webapp" is not PascalCase/ },
    { name: 'a reserved kind', args: ['--kind', 'List'], message: /kind "List" is reserved/ },
    { name: 'a built-in kind in a core group', args: ['--group', 'apps', '--domain', '', '--kind', 'Deployment'], message: /kind "Deployment" is built into Kubernetes in API group "apps"/ },
    { name: 'a Kubernetes API group', args: ['--group', 'apps', '--domain', 'k8s.io'], message: /API group "apps.k8s.io" is reserved/ },
    { name: 'a version that is not a Kubernetes API version', args: ['--version', '1.0'], message: /version "1.0" is not a Kubernetes API version/ },
    { name: 'an invalid domain', args: ['--domain', 'Example.COM'], message: /domain "Example.COM" is not a DNS-1123 subdomain/ },
    { name: 'an invalid plural', args: ['--plural', 'Webapps'], message: /plural "Webapps" is not a DNS-1035 label/ },
    { name: 'a group that is the domain itself', args: ['--group', 'example.com'], message: /group "example.com" is the project's domain itself; pass the part before the domain \(e.g. --group web for "web.example.com"\)/ },
  ];

  test.each(cases)('$name: exit 1, the value and rule named, no folder created', async ({ args, message }) => {
    const before = readTree(tmp.dir);
    const run = await create(['bad-input', '--yes', '--skip-install', '--skip-git', ...args]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(message);
    expect(existsSync(join(tmp.dir, 'bad-input'))).toBe(false);
    expect(readTree(tmp.dir)).toEqual(before);
  });

  test('a folder name that is no npm package name: exit 1, no folder created', async () => {
    const run = await create(['Not A Valid Name!', '--yes', '--skip-install', '--skip-git', '--name', 'Bad Name']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/project name "Bad Name" is not a valid npm package name.*; pass another --name\n$/);
    expect(existsSync(join(tmp.dir, 'Not A Valid Name!'))).toBe(false);
  });

  test('a folder name with no Latin spelling and no --name: exit 1, the folder and the fix named, nothing written', async () => {
    const before = readTree(tmp.dir);
    const run = await create(['项目', '--yes', '--skip-install', '--skip-git']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^error: the folder name "项目" gives no npm package name .*; pass --name <package-name> \(e.g. --name webapp-operator\), or choose another folder name\n$/);
    expect(existsSync(join(tmp.dir, '项目'))).toBe(false);
    expect(readTree(tmp.dir)).toEqual(before);
  });

  test('a non-empty target folder without --force: exit 1, the folder unchanged', async () => {
    const dir = join(tmp.dir, 'occupied');
    mkdirSync(dir);
    writeFileSync(join(dir, 'index.js'), 'console.log(1);\n');
    const run = await create(['occupied', '--yes', '--skip-install', '--skip-git']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/target folder .*occupied is not empty \(index.js\); choose a new folder, or pass --force/);
    expect(readTree(dir)).toEqual({ 'index.js': 'console.log(1);\n' });
  });

  test('an unknown flag is a usage error (exit 2) with the usage text', async () => {
    const run = await create(['x', '--colour']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/Unknown option '--colour'/);
    expect(run.stderr).toContain('Usage: create-operator');
    expect(existsSync(join(tmp.dir, 'x'))).toBe(false);
  });
});
