/**
 * Resolving the kinds a controller names (`owns(Deployment)`) to an API group, plural and scope:
 * Resource descriptor consts in the project (`export const Webapp: Resource<Webapp> = { group,
 * plural, … }`, followed through relative imports and re-exports) and the built-in kinds
 * `@opkit/runtime` exports.
 * @module
 */
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import * as runtime from '@opkit/runtime';
import { Project, ts } from 'ts-morph';
import type { SourceLocation } from '../errors.js';

/** A kind resolved to what RBAC rules name. */
export interface ResolvedKind {
  readonly kind: string;
  readonly group: string;
  readonly plural: string;
  readonly namespaced: boolean;
}

const RUNTIME_MODULE = '@opkit/runtime';

function isResource(value: unknown): value is ResolvedKind {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v['group'] === 'string' && typeof v['kind'] === 'string' && typeof v['plural'] === 'string' && typeof v['namespaced'] === 'boolean';
}

/** The built-in kinds `@opkit/runtime` exports, by export name. */
const BUILTINS: ReadonlyMap<string, ResolvedKind> = new Map(
  Object.entries(runtime as Record<string, unknown>).flatMap(([name, r]): Array<[string, ResolvedKind]> =>
    isResource(r) ? [[name, { kind: r.kind, group: r.group, plural: r.plural, namespaced: r.namespaced }]] : [],
  ),
);

/** One parsed file: its consts, imports and re-exports. */
export class ParsedFile {
  readonly path: string;
  readonly source: ts.SourceFile;
  readonly consts = new Map<string, ts.Expression>();
  readonly imports = new Map<string, { module: string; name: string }>();
  readonly namespaceImports = new Map<string, string>();
  readonly reexports = new Map<string, { module: string; name: string }>();
  readonly starExports: string[] = [];

  readonly #display: string;

  constructor(path: string, source: ts.SourceFile, display: string = path) {
    this.path = path;
    this.#display = display;
    this.source = source;
    for (const s of source.statements) {
      if (ts.isVariableStatement(s)) {
        for (const d of s.declarationList.declarations) if (ts.isIdentifier(d.name) && d.initializer) this.consts.set(d.name.text, d.initializer);
      } else if (ts.isImportDeclaration(s) && ts.isStringLiteral(s.moduleSpecifier)) {
        const bindings = s.importClause?.namedBindings;
        if (bindings && ts.isNamedImports(bindings)) {
          for (const e of bindings.elements) this.imports.set(e.name.text, { module: s.moduleSpecifier.text, name: (e.propertyName ?? e.name).text });
        } else if (bindings && ts.isNamespaceImport(bindings)) {
          this.namespaceImports.set(bindings.name.text, s.moduleSpecifier.text);
        }
      } else if (ts.isExportDeclaration(s) && s.moduleSpecifier && ts.isStringLiteral(s.moduleSpecifier)) {
        const module = s.moduleSpecifier.text;
        if (s.exportClause && ts.isNamedExports(s.exportClause)) {
          for (const e of s.exportClause.elements) this.reexports.set(e.name.text, { module, name: (e.propertyName ?? e.name).text });
        } else if (!s.exportClause) {
          this.starExports.push(module);
        }
      }
    }
  }

  /** The 1-based location of a node. */
  location(node: ts.Node): SourceLocation {
    const { line, character } = this.source.getLineAndCharacterOfPosition(node.getStart(this.source));
    return { file: this.#display, line: line + 1, column: character + 1 };
  }

  /** Whether local `name` is `exported` imported from `@opkit/runtime`. */
  isRuntimeImport(name: string, exported: string): boolean {
    const i = this.imports.get(name);
    return i !== undefined && i.module === RUNTIME_MODULE && i.name === exported;
  }
}

/** Loads TypeScript files (syntax only, no type checking) and resolves kind names across them. */
export class KindResolver {
  readonly #project = new Project({
    useInMemoryFileSystem: false,
    skipAddingFilesFromTsConfig: true,
    skipFileDependencyResolution: true,
    skipLoadingLibFiles: true,
    compilerOptions: { allowJs: false, noLib: true },
  });
  readonly #files = new Map<string, ParsedFile>();
  readonly #display: (absolute: string) => string;

  /** `display` turns an absolute path into the one messages show (default: as is). */
  constructor(options: { display?: (absolute: string) => string } = {}) {
    this.#display = options.display ?? ((p) => p);
  }

  /** Parses a file (once). */
  load(path: string): ParsedFile {
    const absolute = resolve(path);
    const known = this.#files.get(absolute);
    if (known) return known;
    const parsed = new ParsedFile(absolute, this.#project.addSourceFileAtPath(absolute).compilerNode, this.#display(absolute));
    this.#files.set(absolute, parsed);
    return parsed;
  }

  /**
   * Resolves the expression naming a kind (an identifier, or `ns.Kind` of a namespace import);
   * `undefined` when it is not a Resource descriptor with literal group, kind and plural.
   */
  resolve(expression: ts.Expression, file: ParsedFile): ResolvedKind | undefined {
    if (ts.isIdentifier(expression)) return this.#byName(expression.text, file, new Set());
    if (ts.isPropertyAccessExpression(expression) && ts.isIdentifier(expression.expression)) {
      const module = file.namespaceImports.get(expression.expression.text);
      if (module !== undefined) return this.#fromModule(module, expression.name.text, file, new Set());
    }
    if (ts.isObjectLiteralExpression(expression)) return literalResource(expression);
    return undefined;
  }

  #byName(name: string, file: ParsedFile, seen: Set<string>): ResolvedKind | undefined {
    const key = `${file.path}#${name}`;
    if (seen.has(key)) return undefined;
    seen.add(key);
    const init = file.consts.get(name);
    if (init !== undefined) {
      const value = unwrap(init);
      if (ts.isObjectLiteralExpression(value)) return literalResource(value);
      if (ts.isIdentifier(value)) return this.#byName(value.text, file, seen);
      return undefined;
    }
    const imported = file.imports.get(name) ?? file.reexports.get(name);
    if (imported !== undefined) return this.#fromModule(imported.module, imported.name, file, seen);
    for (const module of file.starExports) {
      const found = this.#fromModule(module, name, file, seen);
      if (found) return found;
    }
    return undefined;
  }

  #fromModule(module: string, name: string, from: ParsedFile, seen: Set<string>): ResolvedKind | undefined {
    if (module === RUNTIME_MODULE) return BUILTINS.get(name);
    if (!module.startsWith('.')) return undefined;
    const target = this.#relative(from, module);
    return target === undefined ? undefined : this.#byName(name, target, seen);
  }

  #relative(from: ParsedFile, specifier: string): ParsedFile | undefined {
    const base = resolve(dirname(from.path), specifier);
    const stem = base.replace(/\.(js|mjs|cjs|ts|mts|cts)$/, '');
    for (const candidate of [`${stem}.ts`, `${stem}.mts`, `${stem}.cts`, `${base}/index.ts`]) {
      if (existsSync(candidate)) return this.load(candidate);
    }
    return undefined;
  }
}

function unwrap(expression: ts.Expression): ts.Expression {
  let e = expression;
  while (ts.isAsExpression(e) || ts.isSatisfiesExpression(e) || ts.isParenthesizedExpression(e) || ts.isTypeAssertionExpression(e)) e = e.expression;
  return e;
}

/** `{ group: 'apps', kind: 'Deployment', plural: 'deployments', namespaced: true, … }` with literals. */
function literalResource(object: ts.ObjectLiteralExpression): ResolvedKind | undefined {
  const values = new Map<string, string | boolean>();
  for (const p of object.properties) {
    if (!ts.isPropertyAssignment(p) || !(ts.isIdentifier(p.name) || ts.isStringLiteral(p.name))) continue;
    const v = unwrap(p.initializer);
    if (ts.isStringLiteral(v) || ts.isNoSubstitutionTemplateLiteral(v)) values.set(p.name.text, v.text);
    else if (v.kind === ts.SyntaxKind.TrueKeyword) values.set(p.name.text, true);
    else if (v.kind === ts.SyntaxKind.FalseKeyword) values.set(p.name.text, false);
  }
  const [group, kind, plural, namespaced] = ['group', 'kind', 'plural', 'namespaced'].map((k) => values.get(k));
  if (typeof group !== 'string' || typeof kind !== 'string' || typeof plural !== 'string') return undefined;
  return { group, kind, plural, namespaced: namespaced !== false };
}
