/**
 * The generated project's package.json, built as an object (not a template) so its JSON is always
 * valid and its dependency specs come from one place.
 * @module
 */
import type { OpkitDependencies } from '../shared/paths.js';

/** A generated project's package.json. */
export interface ProjectPackageJson {
  readonly name: string;
  readonly version: string;
  readonly private: true;
  readonly description: string;
  readonly type: 'module';
  readonly engines: { readonly node: string };
  readonly scripts: Readonly<Record<string, string>>;
  readonly dependencies: Readonly<Record<string, string>>;
  readonly devDependencies: Readonly<Record<string, string>>;
  /**
   * npm's install-script policy (npm ≥ 11 lists, on every install, each dependency whose install
   * script no entry covers; older npm ignores the field). esbuild (through tsx and vitest) is
   * allowed by name, so a new esbuild version does not bring the warning back: its postinstall
   * checks its platform binary and fetches it when optional dependencies were skipped. A project
   * wired to a checkout also denies the checkout's `prepare` (a rebuild npm does not run for a
   * linked folder anyway), keyed by its `file:` spec as npm matches local folders.
   */
  readonly allowScripts: Readonly<Record<string, boolean>>;
  /** Marks an Opkit project; `opkit create api` reads the domain from here. */
  readonly opkit: { readonly domain: string };
}

/** Builds the package.json of a project named `name` whose API groups end in `domain`. */
export function projectPackageJson(options: { name: string; description: string; domain: string; deps: OpkitDependencies }): ProjectPackageJson {
  const { packages } = options.deps;
  return {
    name: options.name,
    version: '0.1.0',
    private: true,
    description: options.description,
    type: 'module',
    engines: { node: '>=20.19.0' },
    scripts: {
      build: 'tsc -p tsconfig.json',
      start: 'node dist/src/main.js',
      dev: 'opkit dev',
      generate: 'opkit generate types config/crd --out src/api',
      pretest: 'opkit generate rbac --check && opkit-envtest install',
      test: 'vitest run',
      deploy: 'kubectl apply -k config/default',
      undeploy: 'kubectl delete -k config/default',
    },
    dependencies: {
      '@kubernetes/client-node': packages['@kubernetes/client-node'],
      '@opkit/runtime': options.deps.runtime,
    },
    devDependencies: {
      '@types/node': packages['@types/node'],
      opkit: options.deps.cli,
      tsx: packages.tsx,
      typescript: packages.typescript,
      vitest: packages.vitest,
    },
    allowScripts: { esbuild: true, ...(options.deps.mode === 'checkout' ? { [options.deps.cli]: false } : {}) },
    opkit: { domain: options.domain },
  };
}
