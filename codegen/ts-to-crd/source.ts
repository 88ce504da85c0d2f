/**
 * Loading TypeScript inputs with ts-morph and resolving the type names they use: declarations of
 * the file itself, named imports from relative files (loaded on demand), and the well-known
 * external types (`V1ObjectMeta` from @kubernetes/client-node, `KubeObject` and `Resource` from
 * @opkit/runtime).
 * @module
 */
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { Project, ts, type SourceFile } from 'ts-morph';
import type { SourceLocation } from '../errors.js';
import { emptyDoc, parseDocComment, type DocComment } from '../shared/tsdoc.js';

/** A TypeScript input: a path and, optionally, its text (otherwise read from disk). */
export interface TsSource {
  readonly path: string;
  readonly text?: string;
}

/** What a type name refers to. */
export type ResolvedName =
  | { readonly kind: 'interface'; readonly node: ts.InterfaceDeclaration; readonly file: LoadedFile }
  | { readonly kind: 'alias'; readonly node: ts.TypeAliasDeclaration; readonly file: LoadedFile }
  | { readonly kind: 'external'; readonly name: 'V1ObjectMeta' | 'KubeObject' | 'Resource' };

const EXTERNAL_MODULES: Readonly<Record<string, readonly string[]>> = {
  '@kubernetes/client-node': ['V1ObjectMeta'],
  '@opkit/runtime': ['KubeObject', 'Resource'],
};

/** One loaded file with its local names. */
export class LoadedFile {
  readonly path: string;
  readonly source: ts.SourceFile;
  readonly #locals = new Map<string, ts.InterfaceDeclaration | ts.TypeAliasDeclaration>();
  readonly #imports = new Map<string, { module: string; name: string }>();

  constructor(file: SourceFile) {
    this.path = file.getFilePath();
    this.source = file.compilerNode;
    for (const statement of this.source.statements) {
      if ((ts.isInterfaceDeclaration(statement) || ts.isTypeAliasDeclaration(statement)) && !this.#locals.has(statement.name.text)) {
        this.#locals.set(statement.name.text, statement);
      } else if (ts.isImportDeclaration(statement) && ts.isStringLiteral(statement.moduleSpecifier)) {
        const bindings = statement.importClause?.namedBindings;
        if (bindings === undefined || !ts.isNamedImports(bindings)) continue;
        for (const element of bindings.elements) {
          this.#imports.set(element.name.text, { module: statement.moduleSpecifier.text, name: (element.propertyName ?? element.name).text });
        }
      }
    }
  }

  /** A local interface or alias declared in this file. */
  local(name: string): ts.InterfaceDeclaration | ts.TypeAliasDeclaration | undefined {
    return this.#locals.get(name);
  }

  /** Where an imported name comes from. */
  imported(name: string): { module: string; name: string } | undefined {
    return this.#imports.get(name);
  }

  /** The 1-based location of a node. */
  location(node: ts.Node): SourceLocation {
    const { line, character } = this.source.getLineAndCharacterOfPosition(node.getStart(this.source));
    return { file: this.path, line: line + 1, column: character + 1 };
  }

  /** The TSDoc comment right before a node (the last `/** *\/` among its leading comments). */
  doc(node: ts.Node): DocComment {
    const text = this.source.text;
    const ranges = ts.getLeadingCommentRanges(text, node.pos) ?? [];
    for (let i = ranges.length - 1; i >= 0; i -= 1) {
      const range = ranges[i];
      if (range === undefined || range.kind !== ts.SyntaxKind.MultiLineCommentTrivia) continue;
      const raw = text.slice(range.pos, range.end);
      if (raw.startsWith('/**') && raw !== '/**/') return parseDocComment(raw);
    }
    return emptyDoc;
  }
}

/** The set of loaded files; resolves names across relative imports. */
export class SourceSet {
  readonly #project: Project;
  readonly #files = new Map<string, LoadedFile>();

  constructor() {
    this.#project = new Project({
      useInMemoryFileSystem: false,
      skipAddingFilesFromTsConfig: true,
      skipFileDependencyResolution: true,
      skipLoadingLibFiles: true,
      compilerOptions: { allowJs: false, noLib: true },
    });
  }

  /** Loads an input (from its text when given, from disk otherwise). */
  add(source: TsSource): LoadedFile {
    const path = resolve(source.path);
    const known = this.#files.get(path);
    if (known !== undefined) return known;
    const file = source.text === undefined
      ? this.#project.addSourceFileAtPath(path)
      : this.#project.createSourceFile(path, source.text, { overwrite: true });
    const loaded = new LoadedFile(file);
    this.#files.set(path, loaded);
    return loaded;
  }

  /** Resolves a type name as seen from `file`; `undefined` when it is not known. */
  resolve(name: string, file: LoadedFile): ResolvedName | undefined {
    const local = file.local(name);
    if (local !== undefined) return ts.isInterfaceDeclaration(local) ? { kind: 'interface', node: local, file } : { kind: 'alias', node: local, file };
    const imported = file.imported(name);
    if (imported === undefined) return undefined;
    const externals = EXTERNAL_MODULES[imported.module];
    if (externals !== undefined) {
      const external = externals.find((e) => e === imported.name);
      return external === undefined ? undefined : { kind: 'external', name: external as 'V1ObjectMeta' | 'KubeObject' | 'Resource' };
    }
    if (!imported.module.startsWith('.')) return undefined;
    const target = this.#relative(file, imported.module);
    return target === undefined ? undefined : this.resolve(imported.name, target);
  }

  #relative(from: LoadedFile, specifier: string): LoadedFile | undefined {
    const base = resolve(dirname(from.path), specifier);
    const stem = base.replace(/\.(js|mjs|cjs|ts|mts|cts)$/, '');
    for (const candidate of [`${stem}.ts`, `${stem}.mts`, `${stem}.cts`, `${stem}.d.ts`, `${base}/index.ts`]) {
      const known = this.#files.get(candidate);
      if (known !== undefined) return known;
      if (existsSync(candidate)) return this.add({ path: candidate });
    }
    return undefined;
  }
}
