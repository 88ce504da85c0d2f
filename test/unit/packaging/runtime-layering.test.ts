import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, test } from 'vitest';

const SRC = join(import.meta.dirname, '..', '..', '..', 'runtime', 'src');
const manifest = JSON.parse(readFileSync(join(SRC, '..', 'package.json'), 'utf8')) as { exports: Record<string, { types?: string } | string> };

/** The import specifiers of one source file (static, dynamic and re-exports). */
function specifiers(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/(?:from|import)\s*\(?\s*'([^']+)'/g)].map((m) => m[1] ?? '');
}

/** Every file reachable from `entry` through relative imports, and every package it imports. */
function graph(entry: string): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string): void => {
    if (files.has(file)) return;
    files.add(file);
    for (const spec of specifiers(file)) {
      if (spec.startsWith('.')) visit(resolve(dirname(file), spec.replace(/\.js$/, '.ts')));
      else if (!spec.startsWith('node:')) packages.add(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : (spec.split('/')[0] ?? spec));
    }
  };
  visit(entry);
  return { files, packages };
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((d) => d.isFile() && d.name.endsWith('.ts'))
    .map((d) => join(d.parentPath, d.name));
}

const entries = Object.entries(manifest.exports).flatMap(([subpath, target]) =>
  typeof target === 'object' && target.types !== undefined ? [{ subpath, file: join(SRC, target.types.replace('./dist/', '').replace(/\.d\.ts$/, '.ts')) }] : [],
);

describe('the runtime entry points', () => {
  test('exist for the root, testing and the building-block subpaths', () => {
    expect(entries.map((e) => e.subpath)).toEqual(expect.arrayContaining(['.', './testing', './client', './cache', './watch', './queue', './lifecycle']));
  });

  // ./webhook/certs issues certificates (node-forge, as ./testing does); every other entry loads none.
  const issuing = new Set(['./testing', './webhook/certs']);
  test.each(entries.filter((e) => !issuing.has(e.subpath) && !e.subpath.startsWith('./testing/')))('$subpath loads nothing of ./testing: no node-forge, no envtest installer', ({ file }) => {
    const { files, packages } = graph(file);
    expect([...packages]).not.toContain('node-forge');
    expect([...files].map((f) => relative(SRC, f)).filter((f) => f.startsWith('testing/'))).toEqual([]);
  });

  test('./webhook/certs loads nothing of ./testing', () => {
    const certs = entries.find((e) => e.subpath === './webhook/certs');
    expect(certs).toBeDefined();
    const { files } = graph(certs?.file ?? '');
    expect([...files].map((f) => relative(SRC, f)).filter((f) => f.startsWith('testing/'))).toEqual([]);
  });

  test('the root entry is the authors\' list: a few dozen names, not every building block', () => {
    const text = readFileSync(join(SRC, 'index.ts'), 'utf8');
    const names = [...text.matchAll(/export\s+(?:type\s+)?\{([^}]*)\}/g)].flatMap((m) => (m[1] ?? '').split(',').map((n) => n.trim().replace(/^type /, '')).filter((n) => n !== ''));
    expect(names.length).toBeLessThan(100);
    for (const author of ['Manager', 'controller', 'Client', 'TerminalError', 'isNotFound', 'setCondition', 'generationChanged', 'ConfigMap']) expect(names).toContain(author);
    for (const block of ['Workqueue', 'SharedInformer', 'watcher', 'ServerHealth', 'LeaseElector', 'linkAbort']) expect(names).not.toContain(block);
  });
});

test('./testing/conversion loads fast-check (an optional peer dependency) but not node-forge or the control plane', () => {
  const entry = entries.find((e) => e.subpath === './testing/conversion');
  expect(entry).toBeDefined();
  const { files, packages } = graph(entry?.file ?? '');
  expect([...packages]).toContain('fast-check');
  expect([...packages]).not.toContain('node-forge');
  expect([...files].map((f) => relative(SRC, f)).filter((f) => f.startsWith('testing/') && !f.startsWith('testing/conversion/'))).toEqual([]);
  expect(graph(join(SRC, 'testing', 'index.ts')).packages).not.toContain('fast-check');
});

describe('the lifecycle contracts', () => {
  test('lifecycle/ and util/ are the bottom: they import nothing else of the runtime', () => {
    for (const folder of ['lifecycle', 'util']) {
      for (const file of sourceFiles(join(SRC, folder))) {
        if (file.endsWith('index.ts')) continue;
        const upward = specifiers(file).filter((s) => s.startsWith('.')).map((s) => relative(SRC, resolve(dirname(file), s))).filter((f) => !f.startsWith('lifecycle/') && !f.startsWith('util/'));
        expect({ file: relative(SRC, file), upward }).toEqual({ file: relative(SRC, file), upward: [] });
      }
    }
  });

  test('Runnable, LeaderElector and linkAbort are declared once, in lifecycle/', () => {
    const declared = (pattern: RegExp): string[] => sourceFiles(SRC).filter((f) => pattern.test(readFileSync(f, 'utf8'))).map((f) => relative(SRC, f));
    expect(declared(/export interface Runnable\b/)).toEqual(['lifecycle/runnable.ts']);
    expect(declared(/export interface LeaderElector\b/)).toEqual(['lifecycle/runnable.ts']);
    expect(declared(/export function linkAbort\b/)).toEqual(['lifecycle/abort.ts']);
  });
});
