/**
 * Reading CRDs from YAML (or JSON) files: every document is parsed first (within the limits of
 * read-yaml.ts), malformed YAML is an error naming the file and line, documents that are not CRDs
 * are reported and skipped, a `List` is read item by item, and every schema is checked as the API
 * server would check it (validate-schema.ts).
 * @module
 */
import { CodegenError, SchemaError, type CodegenWarning, type SchemaProblem, type SourceLocation } from '../errors.js';
import { crdName, isCrdLike, normalizeCrd, type CrdDocument } from '../shared/crd.js';
import { canonicalHash, isJsonObject, type JsonObject, type JsonValue } from '../shared/json.js';
import { readYamlDocuments, type YamlLimits } from './read-yaml.js';
import { schemaProblems } from './validate-schema.js';

/** A CRD and where it came from. */
export interface LoadedCrd {
  readonly crd: CrdDocument;
  readonly location: SourceLocation;
}

/** The CRDs of one input and the warnings about documents that were skipped. */
export interface LoadResult {
  readonly crds: LoadedCrd[];
  readonly warnings: CodegenWarning[];
}

function describeDocument(value: JsonValue): string {
  if (!isJsonObject(value)) return `a ${Array.isArray(value) ? 'list' : typeof value}`;
  const kind = typeof value['kind'] === 'string' ? value['kind'] : 'no kind';
  const metadata = value['metadata'];
  const name = isJsonObject(metadata) && typeof metadata['name'] === 'string' ? ` ${metadata['name']}` : '';
  return `${kind}${name}`;
}

/** Options of {@link parseCrdYaml}. */
export interface ParseCrdOptions extends YamlLimits {
  /** Check each version's schema as the API server would (see validate-schema.ts). Default `true`. */
  readonly validateSchemas?: boolean;
}

/**
 * Parses the YAML text of one file into CRDs. Throws `EmptyInputError` for a file without any
 * document, `MalformedYamlError` (with the line) when any document does not parse,
 * `InputLimitError` when nesting or alias expansion exceed their limits, `CodegenError`
 * (`InvalidCrd`) for a CRD without the required fields and `SchemaError` for a schema the API
 * server would reject. Every error names `file`.
 */
export function parseCrdYaml(text: string, file: string, options: ParseCrdOptions = {}): LoadResult {
  const documents = readYamlDocuments(text, file, options);
  const crds: LoadedCrd[] = [];
  const warnings: CodegenWarning[] = [];
  for (const document of documents) {
    const { value, index } = document;
    const location: SourceLocation = { file, ...(document.line === undefined ? {} : { line: document.line }) };
    if (value === null) continue;
    const isList = isJsonObject(value) && typeof value['kind'] === 'string' && value['kind'].endsWith('List') && Array.isArray(value['items']);
    const items = isList ? (value['items'] as JsonValue[]) : [value];
    items.forEach((item, itemIndex) => {
      if (isCrdLike(item) && isJsonObject(item)) {
        const crd = normalizeCrd(item, location);
        if (options.validateSchemas !== false) checkSchemas(crd, location, `document ${index + 1}${isList ? ` item ${itemIndex + 1}` : ''} (CRD ${crdName(crd)})`, isList ? `items[${itemIndex}].` : '');
        crds.push({ crd, location });
      } else if (!isKustomization(item)) {
        warnings.push({ location, message: `document ${index + 1} (${describeDocument(item)}) is not a CustomResourceDefinition; skipped` });
      }
    });
  }
  return { crds, warnings };
}

/** A kustomize `Kustomization` or `Component`: never a CRD, and expected beside them; skipped silently. */
function isKustomization(value: JsonValue): boolean {
  return isJsonObject(value) && typeof value['apiVersion'] === 'string' && value['apiVersion'].startsWith('kustomize.config.k8s.io/');
}

function checkSchemas(crd: CrdDocument, location: SourceLocation, document: string, prefix: string): void {
  const problems: SchemaProblem[] = [];
  crd.spec.versions.forEach((version, i) => {
    problems.push(...schemaProblems(version.schema.openAPIV3Schema, `${prefix}spec.versions[${i}].schema.openAPIV3Schema`));
  });
  if (problems.length > 0) throw new SchemaError(location, document, problems);
}

/**
 * Merges CRDs from several inputs: the same CRD given twice with equal content counts once; with
 * different content it is an error.
 */
export function dedupeCrds(loaded: readonly LoadedCrd[]): LoadedCrd[] {
  const byName = new Map<string, { entry: LoadedCrd; hash?: string }>();
  for (const entry of loaded) {
    const name = crdName(entry.crd);
    const known = byName.get(name);
    if (known === undefined) {
      byName.set(name, { entry });
      continue;
    }
    // hashed only when a name repeats: most inputs never pay for it
    known.hash ??= canonicalHash(known.entry.crd as JsonObject);
    if (known.hash !== canonicalHash(entry.crd as JsonObject)) {
      throw new CodegenError({ reason: 'InvalidCrd', message: `CRD ${name} is also defined, differently, in ${known.entry.location.file}`, location: entry.location });
    }
  }
  return [...byName.values()].map((v) => v.entry);
}
