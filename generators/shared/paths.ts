/**
 * Where the generators find their templates, and how a generated project depends on Opkit: on this
 * checkout by `file:` paths when running from a checkout, on published versions otherwise.
 * @module
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

interface PackageJson {
  readonly name?: string;
  readonly version?: string;
  readonly dependencies?: Readonly<Record<string, string>>;
  readonly devDependencies?: Readonly<Record<string, string>>;
}

function readPackageJson(path: string): PackageJson {
  return JSON.parse(readFileSync(path, 'utf8')) as PackageJson;
}

/**
 * The root of the `opkit` package (the folder with its package.json), found by walking up from
 * this module: works from the sources (`generators/shared/`) and from `dist/generators/shared/`.
 */
export function packageRoot(from: string = dirname(fileURLToPath(import.meta.url))): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && readPackageJson(manifest).name === 'opkit') return dir;
    if (dirname(dir) === dir) throw new Error(`no package.json of opkit above ${from}`);
  }
}

/** The folder of the ejs templates of one generator (`app`, `api`). */
export function templatesDir(generator: 'app' | 'api' | 'webhook', root: string = packageRoot()): string {
  return join(root, 'templates', generator);
}

/** How a generated project depends on Opkit and its toolchain. */
export interface OpkitDependencies {
  /** `checkout`: `file:` paths to this checkout; `published`: version ranges. */
  readonly mode: 'checkout' | 'published';
  /** The opkit package root these specs were computed from. */
  readonly root: string;
  /** The `@opkit/runtime` dependency spec. */
  readonly runtime: string;
  /** The `opkit` (CLI) devDependency spec. */
  readonly cli: string;
  /** Specs of the other packages the project uses, by name. */
  readonly packages: Readonly<Record<'@kubernetes/client-node' | 'typescript' | 'vitest' | 'tsx' | '@types/node', string>>;
}

/** Used when a range cannot be read from opkit's own manifests (a published package without runtime/). */
const FALLBACK_RANGES = {
  '@kubernetes/client-node': '~1.4.0',
  typescript: '~5.9.3',
  vitest: '^4.1.12',
  tsx: '^4.20.6',
  '@types/node': '^20.19.0',
} as const;

/**
 * The dependency specs of a generated project. A checkout is recognised by its `runtime/`
 * workspace (the published package ships only `dist/` and `templates/`): then the project depends
 * on `file:<root>/runtime` and `file:<root>`, so `npm install` works without a registry that knows
 * `@opkit/runtime`, links instead of copying, and builds nothing. Otherwise it depends on
 * `^<version>` of both. Toolchain ranges are opkit's own (its devDependencies, the runtime's
 * dependencies), so a project builds with what opkit is tested with.
 */
export function opkitDependencies(root: string = packageRoot()): OpkitDependencies {
  const own = readPackageJson(join(root, 'package.json'));
  const runtimeManifest = join(root, 'runtime', 'package.json');
  const checkout = existsSync(runtimeManifest);
  const runtimeDeps = checkout ? readPackageJson(runtimeManifest).dependencies ?? {} : {};
  const dev = own.devDependencies ?? {};
  const version = own.version ?? '0.0.0';
  return {
    mode: checkout ? 'checkout' : 'published',
    root,
    runtime: checkout ? `file:${join(root, 'runtime')}` : `^${version}`,
    cli: checkout ? `file:${root}` : `^${version}`,
    packages: {
      '@kubernetes/client-node': runtimeDeps['@kubernetes/client-node'] ?? FALLBACK_RANGES['@kubernetes/client-node'],
      typescript: dev['typescript'] ?? FALLBACK_RANGES.typescript,
      vitest: dev['vitest'] ?? FALLBACK_RANGES.vitest,
      tsx: dev['tsx'] ?? FALLBACK_RANGES.tsx,
      '@types/node': dev['@types/node'] ?? FALLBACK_RANGES['@types/node'],
    },
  };
}
