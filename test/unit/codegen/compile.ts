/**
 * Compiles in-memory TypeScript files in one program, as the files of a project at the repository
 * root would be (so `@opkit/runtime` and `@kubernetes/client-node` resolve from node_modules), with
 * `--strict --exactOptionalPropertyTypes --noUncheckedIndexedAccess`.
 */
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

/** The repository root. */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

/** One diagnostic, formatted as `file:line: message`. */
export interface Diagnostic {
  readonly file: string | undefined;
  readonly line: number | undefined;
  readonly code: number;
  readonly text: string;
}

const options: ts.CompilerOptions = {
  target: ts.ScriptTarget.ES2023,
  lib: ['lib.es2023.d.ts'],
  module: ts.ModuleKind.NodeNext,
  moduleResolution: ts.ModuleResolutionKind.NodeNext,
  strict: true,
  exactOptionalPropertyTypes: true,
  noUncheckedIndexedAccess: true,
  noEmit: true,
  skipLibCheck: true,
  types: [],
};

/**
 * Type-checks `files` (paths relative to a virtual folder under the repository root → content) in
 * one program and returns the diagnostics of those files (and global ones).
 */
export function compileInMemory(files: ReadonlyMap<string, string>, folder = 'test/.virtual-codegen'): Diagnostic[] {
  const base = join(repoRoot, folder);
  const virtual = new Map([...files].map(([path, text]) => [join(base, path), text]));
  const host = ts.createCompilerHost(options, true);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (fileName, languageVersion, onError, shouldCreate) => {
    const text = virtual.get(fileName);
    return text === undefined ? getSourceFile(fileName, languageVersion, onError, shouldCreate) : ts.createSourceFile(fileName, text, languageVersion, true);
  };
  const fileExists = host.fileExists.bind(host);
  host.fileExists = (fileName) => virtual.has(fileName) || fileExists(fileName);
  const directoryExists = host.directoryExists?.bind(host);
  host.directoryExists = (directory) => [...virtual.keys()].some((path) => path.startsWith(`${directory}/`)) || (directoryExists?.(directory) ?? false);
  const readFile = host.readFile.bind(host);
  host.readFile = (fileName) => virtual.get(fileName) ?? readFile(fileName);
  const program = ts.createProgram({ rootNames: [...virtual.keys()], options, host });
  const diagnostics = [...program.getOptionsDiagnostics(), ...program.getGlobalDiagnostics(), ...program.getSyntacticDiagnostics(), ...program.getSemanticDiagnostics()];
  return diagnostics
    .filter((d) => d.file === undefined || virtual.has(d.file.fileName))
    .map((d) => {
      const line = d.file !== undefined && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start).line + 1 : undefined;
      return { file: d.file?.fileName.slice(base.length + 1), line, code: d.code, text: ts.flattenDiagnosticMessageText(d.messageText, '\n') };
    });
}

/** Formats diagnostics one per line. */
export function formatDiagnostics(diagnostics: readonly Diagnostic[]): string {
  return diagnostics.map((d) => `${d.file ?? '<global>'}:${d.line ?? 0}: TS${d.code} ${d.text}`).join('\n');
}
