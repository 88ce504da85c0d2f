/**
 * Reading CRDs from YAML (or JSON) files: every document is parsed first, malformed YAML is an
 * error naming the file and line, documents that are not CRDs are reported and skipped, and a
 * `List` is read item by item.
 * @module
 */
import { LineCounter, parseAllDocuments } from 'yaml';
import { CodegenError, MalformedYamlError, type CodegenWarning, type SourceLocation } from '../errors.js';
import { crdName, isCrdLike, normalizeCrd, type CrdDocument } from '../shared/crd.js';
import { canonicalJson, isJsonObject, toJsonValue, type JsonObject, type JsonValue } from '../shared/json.js';

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

/**
 * Parses the YAML text of one file into CRDs. Throws `MalformedYamlError` (with the line) when any
 * document does not parse, and `CodegenError` (`InvalidCrd`) for a CRD without the required fields.
 */
export function parseCrdYaml(text: string, file: string): LoadResult {
  const lineCounter = new LineCounter();
  const documents = parseAllDocuments(text, { lineCounter, prettyErrors: false });
  const list = Array.isArray(documents) ? documents : [documents];
  for (const document of list) {
    const error = document.errors[0];
    if (error !== undefined) {
      const pos = lineCounter.linePos(error.pos[0]);
      throw new MalformedYamlError({ file, line: pos.line, column: pos.col }, error.message.split('\n')[0] ?? error.message);
    }
  }
  const crds: LoadedCrd[] = [];
  const warnings: CodegenWarning[] = [];
  list.forEach((document, index) => {
    const start = document.contents?.range[0] ?? document.range[0];
    const location: SourceLocation = { file, line: lineCounter.linePos(start).line };
    const value = toJsonValue(document.toJS({ maxAliasCount: -1 }));
    if (value === null || value === undefined) return;
    const items = isJsonObject(value) && typeof value['kind'] === 'string' && value['kind'].endsWith('List') && Array.isArray(value['items']) ? value['items'] : [value];
    for (const item of items) {
      if (isCrdLike(item) && isJsonObject(item)) {
        crds.push({ crd: normalizeCrd(item, location), location });
      } else {
        warnings.push({ location, message: `document ${index + 1} (${describeDocument(item)}) is not a CustomResourceDefinition; skipped` });
      }
    }
  });
  return { crds, warnings };
}

/**
 * Merges CRDs from several inputs: the same CRD given twice with equal content counts once; with
 * different content it is an error.
 */
export function dedupeCrds(loaded: readonly LoadedCrd[]): LoadedCrd[] {
  const byName = new Map<string, { entry: LoadedCrd; text: string }>();
  for (const entry of loaded) {
    const name = crdName(entry.crd);
    const text = canonicalJson(entry.crd as JsonObject);
    const known = byName.get(name);
    if (known === undefined) byName.set(name, { entry, text });
    else if (known.text !== text) {
      throw new CodegenError({ reason: 'InvalidCrd', message: `CRD ${name} is also defined, differently, in ${known.entry.location.file}`, location: entry.location });
    }
  }
  return [...byName.values()].map((v) => v.entry);
}
