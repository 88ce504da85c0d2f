/**
 * Bundles the `opkit` command (`npm run build`, after `tsc`): `cli/opkit.ts` and the modules it
 * imports become `dist/cli/opkit.js` plus lazily loaded chunks in `dist/cli/chunks/`, so a fresh
 * `opkit` process resolves, reads, compiles and links a few files instead of about thirty.
 *
 * Guarantees:
 * - Every command stays a lazy chunk (ESM code splitting): `opkit --help` loads no command's code.
 * - Packages (`@opkit/runtime`, ts-morph, yeoman, js-yaml, ...) stay external.
 * - The {@link isSharedModule shared modules} stay single, unbundled files (tsc's output in
 *   `dist/`), imported by their relative path from each chunk's location: the generators (loaded
 *   unbundled by the scaffolding commands; they find their templates from their own file) and
 *   the modules that declare the error classes the CLI checks with `instanceof`. So in any run
 *   there is exactly one `CodegenError`, `ScaffoldError` and `UsageError` class.
 *
 * Caveats: the bundle is built from the TypeScript sources (esbuild strips the types; tsc has
 * already checked them), never from `dist/cli/opkit.js`, which it replaces. `dist/cli/create-operator.js`
 * (the `./create-operator` export) and the rest of tsc's output stay as they are.
 * @module
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { build, type Plugin } from 'esbuild';

/** The repository root (this file is in scripts/). */
export const REPO_ROOT = join(import.meta.dirname, '..');

/** The modules (repository-relative, `/`-separated) that declare error classes checked with `instanceof` across modules. */
export const SHARED_ERROR_MODULES: readonly string[] = ['cli/args.ts', 'codegen/errors.ts', 'generators/shared/errors.ts'];

/** Where the bundle's entry goes, relative to the output folder (tsc's `dist/`). */
export const BUNDLE_ENTRY = 'cli/opkit.js';
/** Where its chunks go, relative to the output folder. */
export const BUNDLE_CHUNKS_DIR = 'cli/chunks';

/** Marks an external shared module's path in esbuild's output until each file's relative path replaces it. */
const SHARED_PREFIX = 'opkit-unbundled:';

/** Whether the source module at `file` (repository-relative, `/`-separated) must stay an unbundled single module. */
export function isSharedModule(file: string): boolean {
  return file.startsWith('generators/') || SHARED_ERROR_MODULES.includes(file);
}

/** The tsc output of source module `file` (repository-relative `.ts`), relative to the output folder. */
function distFileOf(file: string): string {
  return file.replace(/\.ts$/, '.js');
}

/** Relative import specifier from output file `from` to output file `to` (both relative to the output folder). */
export function relativeSpecifier(from: string, to: string): string {
  const path = relative(dirname(from), to).split(sep).join('/');
  return path.startsWith('.') ? path : `./${path}`;
}

/** An esbuild plugin: imports of shared modules become externals, marked for {@link rewriteSharedImports}. */
function sharedModulesExternal(root: string): Plugin {
  return {
    name: 'opkit-shared-modules',
    setup(b) {
      b.onResolve({ filter: /^\.\.?\// }, async (args) => {
        if (args.pluginData === SHARED_PREFIX) return undefined;
        const resolved = await b.resolve(args.path, { kind: args.kind, importer: args.importer, resolveDir: args.resolveDir, pluginData: SHARED_PREFIX });
        if (resolved.errors.length > 0 || resolved.external) return resolved;
        const file = relative(root, resolved.path).split(sep).join('/');
        if (!isSharedModule(file)) return resolved;
        return { path: `${SHARED_PREFIX}${distFileOf(file)}`, external: true };
      });
    },
  };
}

/** Replaces the marked shared imports in output file `outFile`'s `code` with paths relative to it. */
export function rewriteSharedImports(code: string, outFile: string): string {
  const rewritten = code.replace(new RegExp(`(["'])${SHARED_PREFIX}([^"']+)\\1`, 'g'), (_, quote: string, target: string) => `${quote}${relativeSpecifier(outFile, target)}${quote}`);
  if (rewritten.includes(SHARED_PREFIX)) throw new Error(`bundle-cli: an unbundled import in ${outFile} was left unrewritten`);
  return rewritten;
}

/** Options of {@link bundleCli}. */
export interface BundleCliOptions {
  /** The repository whose sources are bundled. Default: this repository. */
  readonly root?: string;
  /** The output folder, where tsc wrote the unbundled modules the bundle imports. Default: `<root>/dist`. */
  readonly outDir?: string;
}

/**
 * Builds the bundle; resolves to the files written (relative to the output folder). Replaces
 * the chunks folder as a whole, so no chunk of an earlier build stays behind.
 */
export async function bundleCli(options: BundleCliOptions = {}): Promise<string[]> {
  const root = options.root ?? REPO_ROOT;
  const outDir = options.outDir ?? join(root, 'dist');
  const result = await build({
    absWorkingDir: root,
    entryPoints: { opkit: 'cli/opkit.ts' },
    outdir: join(outDir, dirname(BUNDLE_ENTRY)),
    entryNames: '[name]',
    chunkNames: `${relative(dirname(BUNDLE_ENTRY), BUNDLE_CHUNKS_DIR)}/[name]-[hash]`,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20.19',
    packages: 'external',
    tsconfig: 'tsconfig.build.json',
    sourcemap: 'linked',
    legalComments: 'none',
    logLevel: 'warning',
    write: false,
    plugins: [sharedModulesExternal(root)],
  });
  rmSync(join(outDir, BUNDLE_CHUNKS_DIR), { recursive: true, force: true });
  const written: string[] = [];
  for (const output of result.outputFiles) {
    const file = relative(outDir, output.path).split(sep).join('/');
    mkdirSync(dirname(output.path), { recursive: true });
    writeFileSync(output.path, file.endsWith('.js') ? rewriteSharedImports(output.text, file) : output.contents);
    written.push(file);
  }
  return written;
}

if (process.argv[1] !== undefined && import.meta.filename === process.argv[1]) {
  const written = await bundleCli();
  process.stdout.write(`bundle-cli: dist/${BUNDLE_ENTRY} and ${written.filter((f) => f.startsWith(BUNDLE_CHUNKS_DIR) && f.endsWith('.js')).length} chunks in dist/${BUNDLE_CHUNKS_DIR}\n`);
}
