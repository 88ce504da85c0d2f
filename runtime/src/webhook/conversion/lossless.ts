/**
 * The lossless layer of conversion: what a version cannot carry is kept in an annotation of the
 * converted object and put back when the object is converted back.
 *
 * The annotation `conversion.opkit.dev/<version>-data` on an object holds the fields of
 * `<version>` that the object's own version has no place for. Its value is JSON:
 *
 * ```json
 * {"lost":[{"path":["spec","extra"],"value":"x"},{"path":["spec","mode"],"value":"fancy","was":"basic"},
 *          {"path":["spec","ports",0,"appProtocol"],"value":"http","listLengths":[2]}]}
 * ```
 *
 * Each entry names a path (object keys as strings, list positions as numbers), the value the field
 * had in `<version>` (`value` left out: the field was absent there) and what converting there and
 * back would have made of it (`was` left out: absent). Converting back to `<version>` sets each
 * path to `value` when the field still holds `was`, i.e. when nobody changed it through the other
 * version in between; a field changed in between keeps the change.
 *
 * Guarantees: for deterministic converters, convert(convert(x, B), A) equals x (metadata, data and
 * the absence of any annotation included) whenever toHub∘fromHub and fromHub∘toHub lose nothing
 * beyond what the annotation keeps; no annotation is written when nothing was lost.
 *
 * Caveats: list elements are matched by position (`listLengths` records each list's length, and a
 * list whose length changed in between is not restored into; a list reordered at the same length
 * is). A client that replaces an object without its
 * annotations (a PUT of an object it built itself) drops what was kept, as it would drop any field.
 * @module
 */
import { ConversionError } from './errors.js';

/** A JSON value (what the API server sends and accepts). */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** A JSON object. */
export type JsonObject = { [key: string]: JsonValue };

/** One step of a path into an object: a key (string) or a list position (number). */
export type PathSegment = string | number;

/** One field a version could not carry: see the module documentation. */
export interface LostField {
  readonly path: readonly PathSegment[];
  /** The value in the source version; left out when the field was absent there. */
  readonly value?: JsonValue;
  /** What converting there and back made of it; left out when it was absent. */
  readonly was?: JsonValue;
  /**
   * The length of each list the path goes through, in path order; left out when it goes through
   * none. A list of another length is not restored into (its positions mean other elements).
   */
  readonly listLengths?: readonly number[];
}

/** The prefix of the conversion data annotations. */
export const CONVERSION_DATA_PREFIX = 'conversion.opkit.dev/';

/** The annotation that keeps the fields of `version` an object's own version cannot carry. */
export function conversionDataAnnotation(version: string): string {
  return `${CONVERSION_DATA_PREFIX}${version}-data`;
}

/** Whether `key` is a conversion data annotation (of any version). */
export function isConversionDataAnnotation(key: string): boolean {
  return key.startsWith(CONVERSION_DATA_PREFIX) && key.endsWith('-data');
}

/** Whether `value` is a JSON object (not a list, not null). */
export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Deep equality of JSON values (object key order ignored). */
export function jsonEqual(a: JsonValue | undefined, b: JsonValue | undefined): boolean {
  if (a === b) return true;
  if (a === undefined || b === undefined || a === null || b === null) return false;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((item, i) => jsonEqual(item, b[i]));
  if (isJsonObject(a)) {
    if (!isJsonObject(b)) return false;
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((key) => Object.hasOwn(b, key) && jsonEqual(a[key], b[key]));
  }
  return false;
}

/**
 * `value` as plain JSON: `undefined` members dropped, `Date`s as strings, class instances as their
 * JSON — what a converter's answer becomes on the wire anyway.
 * @throws ConversionError (`NotJson`) for values JSON cannot hold (a cycle, a BigInt).
 */
export function toJson(value: unknown, what: string): JsonValue {
  try {
    const text = JSON.stringify(value);
    if (text === undefined) throw new TypeError('not a JSON value');
    return JSON.parse(text) as JsonValue;
  } catch (err) {
    throw new ConversionError({ reason: 'NotJson', message: `${what} is not JSON: ${err instanceof Error ? err.message : String(err)}`, cause: err });
  }
}

const ENVELOPE = new Set(['apiVersion', 'kind', 'metadata']);

function has(object: JsonObject, key: string): boolean {
  return Object.hasOwn(object, key);
}

function diffInto(source: JsonValue | undefined, back: JsonValue | undefined, path: PathSegment[], lengths: number[], out: LostField[]): void {
  if (jsonEqual(source, back)) return;
  if (isJsonObject(source) && isJsonObject(back)) {
    for (const key of Object.keys(source)) diffInto(source[key], has(back, key) ? back[key] : undefined, [...path, key], lengths, out);
    for (const key of Object.keys(back)) if (!has(source, key)) diffInto(undefined, back[key], [...path, key], lengths, out);
    return;
  }
  if (Array.isArray(source) && Array.isArray(back) && source.length === back.length) {
    source.forEach((item, i) => diffInto(item, back[i], [...path, i], [...lengths, source.length], out));
    return;
  }
  out.push({
    path,
    ...(source === undefined ? {} : { value: source }),
    ...(back === undefined ? {} : { was: back }),
    ...(lengths.length === 0 ? {} : { listLengths: lengths }),
  });
}

/**
 * The fields in which `back` (the source converted there and back) differs from `source`, at the
 * deepest path where they differ; `apiVersion`, `kind` and `metadata` are not compared.
 */
export function lostFields(source: JsonObject, back: JsonObject): LostField[] {
  const out: LostField[] = [];
  const strip = (o: JsonObject): JsonObject => Object.fromEntries(Object.entries(o).filter(([key]) => !ENVELOPE.has(key)));
  diffInto(strip(source), strip(back), [], [], out);
  return out;
}

function childOf(container: JsonValue | undefined, segment: PathSegment): JsonValue | undefined {
  if (typeof segment === 'number') return Array.isArray(container) ? container[segment] : undefined;
  return isJsonObject(container) && has(container, segment) ? container[segment] : undefined;
}

/**
 * `target` with each lost field put back where it still holds what the round trip made of it
 * (`was`); a field whose parent no longer exists, or that was changed since, is left as it is.
 * Mutates and returns `target`.
 */
export function restoreFields(target: JsonObject, lost: readonly LostField[]): JsonObject {
  for (const field of lost) {
    const last = field.path.at(-1);
    if (last === undefined || ENVELOPE.has(String(field.path[0]))) continue;
    let parent: JsonValue | undefined = target;
    let lists = 0;
    let sameLists = true;
    field.path.forEach((segment, i) => {
      if (typeof segment === 'number') {
        const length = field.listLengths?.[lists++];
        if (length !== undefined && (!Array.isArray(parent) || parent.length !== length)) sameLists = false;
      }
      if (i < field.path.length - 1) parent = childOf(parent, segment);
    });
    if (!sameLists) continue;
    if (!jsonEqual(childOf(parent, last), field.was)) continue;
    if (typeof last === 'number') {
      if (!Array.isArray(parent) || last >= parent.length || field.value === undefined) continue;
      parent[last] = structuredClone(field.value);
    } else if (isJsonObject(parent)) {
      if (field.value === undefined) delete parent[last];
      else parent[last] = structuredClone(field.value);
    }
  }
  return target;
}

/** The annotation value for `lost` (see the module documentation). */
export function encodeConversionData(lost: readonly LostField[]): string {
  return JSON.stringify({ lost });
}

function isPath(value: unknown): value is PathSegment[] {
  return Array.isArray(value) && value.length > 0 && value.every((s) => typeof s === 'string' || (typeof s === 'number' && Number.isInteger(s) && s >= 0));
}

/**
 * Reads a conversion data annotation's value.
 * @throws ConversionError (`InvalidConversionData`) naming the annotation when it is not what
 * {@link encodeConversionData} writes.
 */
export function decodeConversionData(text: string, annotation: string): LostField[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new ConversionError({ reason: 'InvalidConversionData', message: `annotation ${annotation} is not JSON (remove it, or restore what opkit wrote)`, cause: err });
  }
  const lost = isJsonObject(parsed) ? parsed['lost'] : undefined;
  if (!Array.isArray(lost) || !lost.every((entry) => isJsonObject(entry) && isPath(entry['path']))) {
    throw new ConversionError({ reason: 'InvalidConversionData', message: `annotation ${annotation} is not {"lost":[{"path":[...],"value":...,"was":...}]} (remove it, or restore what opkit wrote)` });
  }
  return lost as unknown as LostField[];
}
