/**
 * `opkit generate crd`: TypeScript types with TSDoc markers → CRD manifests. Everything is built in
 * memory first; nothing is written when any input fails.
 * @module
 */
import { relative, resolve } from 'node:path';
import type { CodegenWarning } from '../errors.js';
import { parseAllDocuments } from 'yaml';
import type { CrdDocument } from '../shared/crd.js';
import { isJsonObject, jsonEqual, toJsonValue } from '../shared/json.js';
import { normalizeForComparison } from '../shared/normalize.js';
import { expandInputs, syncOutputs, type OutputFile } from '../shared/files.js';
import { assembleCrds } from './assemble.js';
import { crdFileName, GENERATED_CRD_MARKER, renderCrdYaml } from './emit.js';
import { readRoots, type RootVersion } from './roots.js';
import { SourceSet, type TsSource } from './source.js';
import { TypeConverter } from './type-to-schema.js';

/** Options of {@link generateCrd}. */
export interface GenerateCrdOptions {
  /** TypeScript files, or folders (every `.ts` under them, except `.d.ts` and `.test.ts`). */
  readonly inputs: readonly string[];
  /** Output folder; one `<group>_<plural>.yaml` per CRD. */
  readonly out: string;
  /** Compare instead of writing: report files that are missing or differ. Default `false`. */
  readonly check?: boolean;
}

/** The outcome of {@link generateCrd}. */
export interface GenerateCrdResult {
  readonly files: readonly OutputFile[];
  readonly written: readonly string[];
  readonly differences: readonly string[];
  readonly warnings: readonly CodegenWarning[];
  /** The CRDs built, in file order. */
  readonly crds: readonly CrdDocument[];
}

/**
 * Builds CRDs from TypeScript sources (paths, with optional in-memory text). Pure apart from
 * reading files that have no text and relative imports that are not among the sources.
 */
export function buildCrds(sources: readonly TsSource[]): { crds: CrdDocument[]; warnings: CodegenWarning[]; roots: RootVersion[] } {
  const set = new SourceSet();
  const converter = new TypeConverter(set);
  const roots: RootVersion[] = [];
  const files = sources.map((source) => set.add(source));
  for (const file of files) roots.push(...readRoots(file, set, converter));
  const warnings = [...converter.warnings];
  const crds = assembleCrds(roots, warnings);
  return { crds, warnings, roots };
}

/**
 * Whether a manifest's text holds exactly `crd`, compared semantically (the round-trip
 * normalization of docs/markers.md: key order, layout, comments and `required` order ignored) —
 * so a hand-formatted or scaffolded CRD that says the same is neither rewritten nor reported by
 * `--check`. Text that does not parse, or holds anything besides one CRD, is not the same.
 */
export function isSameCrd(text: string, crd: CrdDocument): boolean {
  let documents: unknown[];
  try {
    documents = parseAllDocuments(text).map((document) => (document.errors.length > 0 ? undefined : document.toJS({ maxAliasCount: 100 })));
  } catch {
    return false;
  }
  const present = documents.filter((document) => document !== null);
  if (present.length !== 1) return false;
  const existing = toJsonValue(present[0]);
  if (!isJsonObject(existing)) return false;
  return jsonEqual(normalizeForComparison(existing), normalizeForComparison(crd));
}

/**
 * Generates CRD manifests from the TypeScript types (with markers) in the inputs and writes them
 * under `out` (or, with `check`, compares them). An input without any root type is not an error.
 */
export async function generateCrd(options: GenerateCrdOptions): Promise<GenerateCrdResult> {
  const files = await expandInputs(options.inputs, ['.ts', '.mts'], (path) => path.endsWith('.d.ts') || path.endsWith('.test.ts'));
  const { crds, warnings, roots } = buildCrds(files.map((path) => ({ path })));
  const outputs = new Map<string, string>();
  const built = new Map<string, CrdDocument>();
  for (const crd of crds) {
    built.set(crdFileName(crd), crd);
    const sources = [...new Set(roots.filter((r) => r.group === crd.spec.group && r.kind === crd.spec.names.kind).map((r) => relative(resolve(options.out), r.location.file).split('\\').join('/')))].sort();
    outputs.set(crdFileName(crd), renderCrdYaml(crd, sources));
  }
  const sameCrd = (relative: string, existing: string): boolean => {
    const crd = built.get(relative);
    return crd !== undefined && isSameCrd(existing, crd);
  };
  const synced = await syncOutputs(outputs, options.out, options.check ?? false, { marker: GENERATED_CRD_MARKER, extensions: ['.yaml'] }, sameCrd);
  return {
    files: synced,
    written: synced.filter((f) => f.status === 'written').map((f) => f.path),
    differences: synced.filter((f) => f.status === 'missing' || f.status === 'differs' || f.status === 'stale').map((f) => f.path),
    warnings,
    crds,
  };
}
