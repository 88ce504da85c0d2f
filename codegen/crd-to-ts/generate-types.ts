/**
 * `opkit generate types`: CRD schemas (files, folders, or a live cluster) → TypeScript, one file per
 * group and version. Everything is generated in memory first; nothing is written when any input
 * is missing or malformed.
 * @module
 */
import { stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { CodegenError, InputLimitError, InputNotFoundError, type CodegenWarning, type SourceLocation } from '../errors.js';
import { CanonicalTexts } from '../shared/canonical-texts.js';
import { isCrdLike, normalizeCrd, type CrdDocument } from '../shared/crd.js';
import { expandInputs, readInput, syncOutputs, type OutputFile } from '../shared/files.js';
import { isJsonObject, toJsonValue } from '../shared/json.js';
import { readCrdFromCluster, type ClusterCrdReader } from './cluster.js';
import { GENERATED_MARKER, renderGroupVersionFile, type KindVersion } from './file.js';
import { dedupeCrds, parseCrdYaml, type LoadedCrd } from './load.js';

/** Options of {@link generateTypes}. */
export interface GenerateTypesOptions {
  /** YAML/JSON files, or folders (every `.yaml`, `.yml`, `.json` under them). */
  readonly inputs: readonly string[];
  /** Output folder; files go to `<out>/<group>/<version>/index.ts`. */
  readonly out: string;
  /** Compare instead of writing: report files that are missing or differ. Default `false`. */
  readonly check?: boolean;
  /** Extra header text placed under the generated-file header (e.g. a license). */
  readonly header?: string;
  /** CRD names to read from the cluster of the current kubeconfig. Default none. */
  readonly fromCluster?: readonly string[];
  /** Skip versions with `served: false`. Default `false` (they are generated, marked `@served false`). */
  readonly servedOnly?: boolean;
  /** How `fromCluster` CRDs are read. Default: `ApiextensionsV1Api` with the current kubeconfig. */
  readonly readClusterCrd?: ClusterCrdReader;
  /** Largest input file read, in bytes. Default {@link DEFAULT_MAX_INPUT_BYTES} (32 MiB). */
  readonly maxInputBytes?: number;
}

/**
 * The default size limit of one input file: 32 MiB. One CRD cannot exceed the API server's 3 MiB
 * request limit, so only a bundle of many CRDs comes near it; a larger file is almost surely not
 * what was meant (and would take memory in proportion).
 */
export const DEFAULT_MAX_INPUT_BYTES = 32 * 1024 * 1024;

/** File names kustomize reads; skipped silently when a folder is expanded (they are never CRDs). */
const KUSTOMIZATION_FILES: ReadonlySet<string> = new Set(['kustomization.yaml', 'kustomization.yml', 'Kustomization']);

/** The outcome of {@link generateTypes}. */
export interface GenerateTypesResult {
  /** Every file that was (or, with `check`, would be) generated, with its status. */
  readonly files: readonly OutputFile[];
  /** Paths written (empty with `check`). */
  readonly written: readonly string[];
  /**
   * With `check`: paths that are missing or differ from what would be generated, and stale
   * generated files (files with the generated header that would no longer be generated).
   */
  readonly differences: readonly string[];
  /** Documents skipped (not CRDs). */
  readonly warnings: readonly CodegenWarning[];
  /** Names of the CRDs generated from. */
  readonly crds: readonly string[];
}

/** Options of {@link generateTypeFiles}. */
export interface GenerateTypeFilesOptions {
  readonly header?: string;
  readonly servedOnly?: boolean;
  /** Where each CRD was read from, so errors name the file (default: errors name the CRD only). */
  readonly locate?: (crd: CrdDocument) => SourceLocation | undefined;
}

/**
 * Generates the files for a set of CRDs in memory: a map from `<group>/<version>/index.ts` to
 * content. Pure: equal input gives byte-identical output.
 */
export function generateTypeFiles(crds: readonly CrdDocument[], options: GenerateTypeFilesOptions = {}): Map<string, string> {
  const groups = new Map<string, { group: string; version: string; entries: KindVersion[] }>();
  for (const crd of crds) {
    for (const version of crd.spec.versions) {
      if (options.servedOnly === true && !version.served) continue;
      const key = `${crd.spec.group}/${version.name}`;
      const bucket = groups.get(key) ?? { group: crd.spec.group, version: version.name, entries: [] };
      bucket.entries.push({ crd, version });
      groups.set(key, bucket);
    }
  }
  const files = new Map<string, string>();
  // one canonical JSON for all files: a CRD with several versions is behind several files, and is
  // written once
  const canonical = new CanonicalTexts();
  for (const [key, bucket] of [...groups].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const content = renderGroupVersionFile(bucket.group, bucket.version, bucket.entries, {
      canonical,
      ...(options.header === undefined ? {} : { header: options.header }),
      ...(options.locate === undefined ? {} : { locate: options.locate }),
    });
    files.set(`${key}/index.ts`, content);
  }
  return files;
}

/**
 * Reads the CRDs of all inputs (and the cluster), failing on the first unreadable input: a missing
 * path, an empty or oversized file, malformed or too deeply nested YAML, runaway aliases, an
 * invalid CRD or a schema the API server would reject. Kustomization files in folders are skipped.
 */
export async function loadCrds(options: Pick<GenerateTypesOptions, 'inputs' | 'fromCluster' | 'readClusterCrd' | 'maxInputBytes'>): Promise<{ crds: LoadedCrd[]; warnings: CodegenWarning[] }> {
  const files = await expandInputs(options.inputs, ['.yaml', '.yml', '.json'], (path) => KUSTOMIZATION_FILES.has(basename(path)));
  const maxBytes = options.maxInputBytes ?? DEFAULT_MAX_INPUT_BYTES;
  const loaded: LoadedCrd[] = [];
  const warnings: CodegenWarning[] = [];
  // the next READ_AHEAD files are read while this one is parsed
  const reads: Promise<string>[] = [];
  for (let i = 0; i < files.length; i += 1) {
    for (let k = reads.length; k < Math.min(files.length, i + 1 + READ_AHEAD); k += 1) {
      const read = readChecked(files[k] as string, maxBytes);
      // if parsing fails, a read ahead is never awaited: its own failure does not matter then
      read.catch(() => undefined);
      reads.push(read);
    }
    const text = await (reads[i] as Promise<string>);
    const result = parseCrdYaml(text, files[i] as string);
    loaded.push(...result.crds);
    warnings.push(...result.warnings);
  }
  const reader = options.readClusterCrd ?? readCrdFromCluster;
  for (const name of options.fromCluster ?? []) {
    const location = { file: `cluster:${name}` };
    const value = toJsonValue(await reader(name));
    if (value === undefined || !isCrdLike(value) || !isJsonObject(value)) {
      throw new CodegenError({ reason: 'InvalidCrd', message: 'the cluster did not return a CustomResourceDefinition', location });
    }
    loaded.push({ crd: normalizeCrd(value, location), location });
  }
  return { crds: dedupeCrds(loaded), warnings };
}

/** How many files {@link loadCrds} reads ahead of the one it parses: CRD files are often small, parsed faster than read. */
const READ_AHEAD = 4;

/** The text of an input file within the size limit (see {@link checkSize}). */
async function readChecked(file: string, maxBytes: number): Promise<string> {
  await checkSize(file, maxBytes);
  return readInput(file);
}

async function checkSize(file: string, maxBytes: number): Promise<void> {
  let size: number;
  try {
    size = (await stat(file)).size;
  } catch (err) {
    throw new InputNotFoundError(file, err);
  }
  if (size > maxBytes) {
    throw new InputLimitError(
      'InputTooLarge',
      { file },
      `the file is ${mebibytes(size)} MiB, over the ${mebibytes(maxBytes)} MiB input limit; one CRD cannot exceed the API server's 3 MiB request limit, so split the file, or raise the limit with --max-input-size <MiB>`,
    );
  }
}

function mebibytes(bytes: number): string {
  return String(Math.round((bytes / 1024 / 1024) * 10) / 10);
}

/**
 * Generates TypeScript types and `Resource` descriptors for every CRD in the inputs, one file per
 * group and version, and writes them under `out` (or, with `check`, compares them).
 *
 * Guarantees: no file is written unless every input was read and every file generated; files whose
 * content is already right are not rewritten; output is byte-identical for equal input.
 * Caveats: an input with no CRD at all is not an error (its documents are reported as warnings).
 */
export async function generateTypes(options: GenerateTypesOptions): Promise<GenerateTypesResult> {
  const { crds, warnings } = await loadCrds(options);
  const locations = new Map(crds.map((c) => [c.crd, c.location]));
  const files = generateTypeFiles(crds.map((c) => c.crd), {
    locate: (crd) => locations.get(crd),
    ...(options.header === undefined ? {} : { header: options.header }),
    ...(options.servedOnly === undefined ? {} : { servedOnly: options.servedOnly }),
  });
  const check = options.check ?? false;
  const outputs = await syncOutputs(files, options.out, check, { marker: GENERATED_MARKER, extensions: ['.ts'] });
  return {
    files: outputs,
    written: outputs.filter((f) => f.status === 'written').map((f) => f.path),
    differences: outputs.filter((f) => f.status === 'missing' || f.status === 'differs' || f.status === 'stale').map((f) => f.path),
    warnings,
    crds: crds.map((c) => String(c.crd.metadata['name'])),
  };
}

/** The path of the file generated for a group and version under `out`. */
export function typesFilePath(out: string, group: string, version: string): string {
  return join(out, group, version, 'index.ts');
}
