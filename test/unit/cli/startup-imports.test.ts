/**
 * What the CLI entry points load before they know the command: only small modules of their own
 * and `@opkit/runtime/errors`. yeoman, ts-morph (a TypeScript compiler), client-node, the YAML
 * readers and the runtime's root entry each cost from tens of milliseconds to a second at every
 * start, so they are imported (`await import(...)`) by the commands that use them.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, test } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..', '..');

/**
 * The modules a file loads when it is evaluated: static imports and re-exports (`import type` is
 * erased; with verbatimModuleSyntax every other import statement stays), not `import()`.
 */
function staticSpecifiers(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/^(?:import|export)\s+(?!type\s)(?:[^;'"]*?\sfrom\s+)?'([^']+)';/gm)].map((m) => m[1] ?? '');
}

/** Every file of this repository evaluated when `entry` starts, and every package it loads. */
function startupGraph(entry: string): { files: string[]; packages: string[] } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string): void => {
    if (files.has(file)) return;
    files.add(file);
    for (const spec of staticSpecifiers(file)) {
      if (spec.startsWith('.')) visit(resolve(dirname(file), spec.replace(/\.js$/, '.ts')));
      else if (!spec.startsWith('node:')) packages.add(spec);
    }
  };
  visit(join(ROOT, entry));
  return { files: [...files].map((f) => relative(ROOT, f)).sort(), packages: [...packages].sort() };
}

describe('CLI start-up', () => {
  test.each(['cli/opkit.ts', 'cli/create-operator.ts'])('%s loads no package but @opkit/runtime/errors before dispatching', (entry) => {
    expect(startupGraph(entry).packages).toEqual(['@opkit/runtime/errors']);
  });

  test.each(['cli/opkit.ts', 'cli/create-operator.ts'])('%s loads no command, codegen or generator class at start-up', (entry) => {
    const { files } = startupGraph(entry);
    expect(files.filter((f) => f.startsWith('cli/commands/') || f.startsWith('codegen/') || f.startsWith('generators/app/') || f.startsWith('generators/api/') || f === 'generators/run.ts')).toEqual([]);
    expect(files).toContain(entry);
  });

  test('the graph follows static imports and skips import() and import type', () => {
    // cli/opkit.ts reaches the commands only through import(); a command module itself loads codegen statically
    expect(startupGraph('cli/commands/generate.ts').files).toContain('codegen/crd-to-ts/generate-types.ts');
    expect(startupGraph('cli/opkit.ts').files).not.toContain('cli/commands/generate.ts');
    expect(readFileSync(join(ROOT, 'cli/opkit.ts'), 'utf8')).toContain("import('./commands/generate.js')");
  });
});
