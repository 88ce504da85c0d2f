/**
 * The bundled `opkit` command (scripts/bundle-cli.ts): every chunk imports the generators and the
 * error modules checked with `instanceof` as the one unbundled file tsc wrote, by a relative path
 * that resolves from the chunk's own folder; no chunk carries a copy of them; the commands stay
 * lazy chunks. Built into a temporary folder from this repository's sources.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { BUNDLE_CHUNKS_DIR, BUNDLE_ENTRY, REPO_ROOT, SHARED_ERROR_MODULES, bundleCli, isSharedModule, relativeSpecifier, rewriteSharedImports } from '../../../scripts/bundle-cli.js';

/** Every `.ts` file under the repository folder `dir`, repository-relative. */
function sources(dir: string): string[] {
  return readdirSync(join(REPO_ROOT, dir), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))
    .map((f) => `${dir}/${f.split('\\').join('/')}`);
}

/** Relative specifiers a bundle file imports: static imports, re-exports and `import()`. */
function relativeImports(code: string): string[] {
  return [...code.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|^import\s*)"(\.\.?\/[^"]+)"/gm)].map((m) => m[1] ?? '');
}

describe('which modules stay unbundled', () => {
  test('the generators and the error modules, nothing else of cli/ and codegen/', () => {
    expect(isSharedModule('generators/shared/paths.ts')).toBe(true);
    expect(isSharedModule('generators/run.ts')).toBe(true);
    for (const file of SHARED_ERROR_MODULES) expect(isSharedModule(file)).toBe(true);
    expect(isSharedModule('codegen/crd-to-ts/generate-types.ts')).toBe(false);
    expect(isSharedModule('cli/report.ts')).toBe(false);
  });

  test('every error class checked with instanceof outside its own module is declared in an unbundled module', () => {
    const files = [...sources('cli'), ...sources('codegen'), ...sources('generators')];
    const texts = new Map(files.map((f) => [f, readFileSync(join(REPO_ROOT, f), 'utf8')]));
    const declaredIn = new Map<string, string>();
    for (const [file, text] of texts) for (const m of text.matchAll(/^export class (\w+) extends \w+/gm)) declaredIn.set(m[1] ?? '', file);
    const checked: Array<[string, string]> = [];
    for (const [file, text] of texts) {
      for (const m of text.matchAll(/\binstanceof ([\w.]+)/g)) {
        const name = (m[1] ?? '').split('.').pop() ?? '';
        const home = declaredIn.get(name);
        if (home !== undefined && home !== file) checked.push([name, home]);
      }
    }
    // the CLI's reporting checks these three, so the scan must see them
    expect(checked.map(([name]) => name)).toEqual(expect.arrayContaining(['UsageError', 'ScaffoldError', 'CodegenError']));
    expect(checked.filter(([, home]) => !isSharedModule(home))).toEqual([]);
  });
});

describe('relative paths of the unbundled imports', () => {
  test('from the entry and from a chunk, to the same file', () => {
    expect(relativeSpecifier('cli/opkit.js', 'codegen/errors.js')).toBe('../codegen/errors.js');
    expect(relativeSpecifier('cli/chunks/generate-X.js', 'codegen/errors.js')).toBe('../../codegen/errors.js');
    expect(relativeSpecifier('cli/chunks/x.js', 'cli/args.js')).toBe('../args.js');
    expect(relativeSpecifier('cli/opkit.js', 'cli/args.js')).toBe('./args.js');
  });

  test('the marked imports of an output file are rewritten, and a mark left over fails the build', () => {
    const code = 'import { a } from "opkit-unbundled:codegen/errors.js";\nconst m = await import("opkit-unbundled:generators/run.js");\n';
    expect(rewriteSharedImports(code, 'cli/chunks/c.js')).toBe('import { a } from "../../codegen/errors.js";\nconst m = await import("../../generators/run.js");\n');
    expect(() => rewriteSharedImports('const s = `opkit-unbundled:x`;', 'cli/opkit.js')).toThrow(/unrewritten/);
  });
});

describe('the bundle built from this repository', () => {
  let out: string;
  let written: string[];
  let code: Map<string, string>;

  beforeAll(async () => {
    out = mkdtempSync(join(tmpdir(), 'opkit-bundle-'));
    written = await bundleCli({ outDir: out });
    code = new Map(written.filter((f) => f.endsWith('.js')).map((f) => [f, readFileSync(join(out, f), 'utf8')]));
  }, 60_000);

  afterAll(() => {
    rmSync(out, { recursive: true, force: true });
  });

  test('writes the entry with its shebang and the chunks, nothing else', () => {
    expect(code.get(BUNDLE_ENTRY)?.startsWith('#!/usr/bin/env node\n')).toBe(true);
    expect(written.filter((f) => f !== BUNDLE_ENTRY && f !== `${BUNDLE_ENTRY}.map` && !f.startsWith(`${BUNDLE_CHUNKS_DIR}/`))).toEqual([]);
  });

  test('every relative import resolves to another bundle file or to the tsc output of an unbundled module', () => {
    const unbundled = new Set<string>();
    for (const [file, text] of code) {
      for (const spec of relativeImports(text)) {
        const target = relative(out, resolve(join(out, dirname(file)), spec)).split('\\').join('/');
        if (code.has(target)) continue;
        unbundled.add(target);
        expect(isSharedModule(target.replace(/\.js$/, '.ts')), `${file} imports ${spec}`).toBe(true);
        expect(readdirSync(join(REPO_ROOT, dirname(target))), `${file} imports ${spec}: no source`).toContain(target.split('/').pop()?.replace(/\.js$/, '.ts'));
      }
    }
    expect([...unbundled]).toEqual(expect.arrayContaining(['codegen/errors.js', 'generators/shared/errors.js', 'cli/args.js', 'generators/run.js']));
  });

  test('no bundle file declares a class of an unbundled module', () => {
    const names = [...SHARED_ERROR_MODULES, ...sources('generators')].flatMap((f) => [...readFileSync(join(REPO_ROOT, f), 'utf8').matchAll(/^export (?:abstract )?class (\w+)/gm)].map((m) => m[1] ?? ''));
    expect(names).toEqual(expect.arrayContaining(['CodegenError', 'ScaffoldError', 'UsageError']));
    for (const [file, text] of code) {
      for (const name of names) {
        // generate.ts has a module-private UsageError of its own (flag errors of generate types|crd)
        const declared = [...text.matchAll(new RegExp(`\\bclass ${name}\\b`, 'g'))].length;
        const privateUsage = name === 'UsageError' ? [...text.matchAll(/\bclass UsageError extends Error \{\s*\}/g)].length : 0;
        expect(declared - privateUsage, `${file} declares ${name}`).toBe(0);
      }
    }
  });

  test('the commands stay lazy chunks: neither the entry nor a chunk it imports statically holds a command\'s code', () => {
    const entry = code.get(BUNDLE_ENTRY) ?? '';
    const staticImports = [...entry.matchAll(/^import\s[^;]*?from\s*"([^"]+)"|^import\s*"([^"]+)"/gm)].map((m) => m[1] ?? m[2] ?? '');
    const chunkCode = staticImports.filter((s) => s.startsWith('./chunks/')).map((s) => code.get(`cli/${s.slice(2)}`) ?? '');
    for (const text of [entry, ...chunkCode]) {
      expect(text).not.toMatch(/Usage: opkit generate types|Usage: opkit create api|"ts-morph"|"js-yaml"/);
    }
    expect(entry).toMatch(/import\("\.\/chunks\/generate-[\w-]+\.js"\)/);
    expect(entry).toMatch(/import\("\.\/chunks\/create-api-[\w-]+\.js"\)/);
  });
});
