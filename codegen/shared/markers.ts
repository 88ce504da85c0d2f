/**
 * The schema markers: TSDoc tags that carry the OpenAPI keywords a TypeScript type cannot express.
 * Both directions use this one table, so `generate crd` reads exactly what `generate types` writes.
 * The full syntax is documented in docs/markers.md.
 * @module
 */
import type { DocTag } from './tsdoc.js';
import type { JsonObject, JsonValue } from './json.js';

/** How a tag value is written: `text` is the raw text (JSON-quoted when it must be), `json` is JSON. */
export type MarkerCodec = 'text' | 'json';

/** One schema keyword carried by a tag. */
export interface SchemaMarker {
  /** The OpenAPI / Kubernetes keyword, e.g. `maxLength`, `x-kubernetes-list-type`. */
  readonly key: string;
  /** The tag name, e.g. `maxLength`, `listType`. */
  readonly tag: string;
  readonly codec: MarkerCodec;
  /** The keyword holds an array written as one tag per element (`@validation`). */
  readonly repeated?: boolean;
}

/** Schema keywords with a dedicated tag, in the order tags are written. */
export const SCHEMA_MARKERS: readonly SchemaMarker[] = Object.freeze([
  { key: 'format', tag: 'format', codec: 'text' },
  { key: 'pattern', tag: 'pattern', codec: 'text' },
  { key: 'minimum', tag: 'minimum', codec: 'json' },
  { key: 'exclusiveMinimum', tag: 'exclusiveMinimum', codec: 'json' },
  { key: 'maximum', tag: 'maximum', codec: 'json' },
  { key: 'exclusiveMaximum', tag: 'exclusiveMaximum', codec: 'json' },
  { key: 'multipleOf', tag: 'multipleOf', codec: 'json' },
  { key: 'minLength', tag: 'minLength', codec: 'json' },
  { key: 'maxLength', tag: 'maxLength', codec: 'json' },
  { key: 'minItems', tag: 'minItems', codec: 'json' },
  { key: 'maxItems', tag: 'maxItems', codec: 'json' },
  { key: 'uniqueItems', tag: 'uniqueItems', codec: 'json' },
  { key: 'minProperties', tag: 'minProperties', codec: 'json' },
  { key: 'maxProperties', tag: 'maxProperties', codec: 'json' },
  { key: 'enum', tag: 'enum', codec: 'json' },
  { key: 'default', tag: 'default', codec: 'json' },
  { key: 'title', tag: 'title', codec: 'text' },
  { key: 'x-kubernetes-list-type', tag: 'listType', codec: 'text' },
  { key: 'x-kubernetes-list-map-keys', tag: 'listMapKeys', codec: 'json' },
  { key: 'x-kubernetes-map-type', tag: 'mapType', codec: 'text' },
  { key: 'x-kubernetes-validations', tag: 'validation', codec: 'json', repeated: true },
  { key: 'allOf', tag: 'allOf', codec: 'json' },
  { key: 'anyOf', tag: 'anyOf', codec: 'json' },
  { key: 'oneOf', tag: 'oneOf', codec: 'json' },
  { key: 'not', tag: 'not', codec: 'json' },
]);

const BY_KEY: ReadonlyMap<string, SchemaMarker> = new Map(SCHEMA_MARKERS.map((m) => [m.key, m]));
const BY_TAG: ReadonlyMap<string, SchemaMarker> = new Map(SCHEMA_MARKERS.map((m) => [m.tag, m]));
const TABLE_ORDER: ReadonlyMap<SchemaMarker, number> = new Map(SCHEMA_MARKERS.map((m, i) => [m, i]));

/** Tags with a special meaning at a schema site (besides the keyword table). */
export const SPECIAL_SCHEMA_TAGS = Object.freeze({
  /** `@description "json string"`: a description that plain comment text cannot carry. */
  description: 'description',
  /** `@type integer`: the OpenAPI type when it differs from what the TypeScript type implies (`none` = no type). */
  type: 'type',
  /** `@required ["a"]`: required names that are not declared properties. */
  required: 'required',
  /** `@schema {json}`: the complete schema of this node; the TypeScript type is then ignored. */
  schema: 'schema',
  /** `@openapi <key> <json>`: any other keyword, verbatim. */
  openapi: 'openapi',
  /** `@unset <key>`: drop a keyword the TypeScript type implies (e.g. the int-or-string `anyOf`). */
  unset: 'unset',
  /** `@notInSchema`: the property exists in TypeScript only (apiVersion/kind/metadata on a root). */
  notInSchema: 'notInSchema',
});

/** The dedicated marker for a schema keyword, if there is one. */
export function markerForKey(key: string): SchemaMarker | undefined {
  return BY_KEY.get(key);
}

/** The schema marker a tag name stands for, if any. */
export function markerForTag(tag: string): SchemaMarker | undefined {
  return BY_TAG.get(tag);
}

/** Writes a value with a codec. */
export function encodeValue(value: JsonValue, codec: MarkerCodec): string {
  if (codec === 'text' && typeof value === 'string' && isRawText(value)) return value;
  return JSON.stringify(value);
}

/** Whether a string can be written as raw tag text (read back as itself). */
export function isRawText(value: string): boolean {
  return value !== '' && value === value.trim() && !/[\n\r\u2028\u2029]/.test(value) && !value.startsWith('"');
}

/**
 * Reads a tag value with a codec. `json` values that are empty read as `true` (a flag);
 * `text` values that start with `"` are JSON strings. Throws `SyntaxError` on bad JSON.
 */
export function decodeValue(text: string, codec: MarkerCodec): JsonValue {
  if (codec === 'text') {
    if (!text.startsWith('"')) return text;
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed !== 'string') throw new SyntaxError('expected a JSON string');
    return parsed;
  }
  if (text === '') return true;
  return JSON.parse(text) as JsonValue;
}

/**
 * The tags for the keywords of `info` (a schema node without the parts the TypeScript type
 * carries, or a node and the keys in `skip` that it carries), in table order; keywords without a
 * dedicated tag become `@openapi <key> <json>`.
 */
export function schemaInfoToTags(info: JsonObject, skip?: ReadonlySet<string>): DocTag[] {
  const tags: DocTag[] = [];
  // the markers of the keys present, in table order (a node has a few keys; the table has dozens)
  let markers: SchemaMarker[] | undefined;
  let others: string[] | undefined;
  for (const key in info) {
    if (skip?.has(key) === true) continue;
    const marker = BY_KEY.get(key);
    if (marker !== undefined) (markers ??= []).push(marker);
    else if (key !== 'description') (others ??= []).push(key);
  }
  if (markers !== undefined) {
    // by insertion (a few markers): Array.prototype.sort allocates its own state per call
    for (let i = 1; i < markers.length; i += 1) {
      const marker = markers[i] as SchemaMarker;
      const order = TABLE_ORDER.get(marker) ?? 0;
      let j = i - 1;
      while (j >= 0 && (TABLE_ORDER.get(markers[j] as SchemaMarker) ?? 0) > order) {
        markers[j + 1] = markers[j] as SchemaMarker;
        j -= 1;
      }
      markers[j + 1] = marker;
    }
    for (const marker of markers) {
      const value = info[marker.key];
      if (value === undefined) continue;
      if (marker.repeated === true && Array.isArray(value) && value.length > 0) {
        for (const item of value) tags.push({ name: marker.tag, value: encodeValue(item, marker.codec) });
      } else {
        tags.push({ name: marker.tag, value: encodeValue(value, marker.codec) });
      }
    }
  }
  if (others !== undefined) {
    for (const key of others) tags.push({ name: SPECIAL_SCHEMA_TAGS.openapi, value: `${key} ${JSON.stringify(info[key] as JsonValue)}` });
  }
  return tags;
}

/** Splits `key rest` at the first run of whitespace. */
export function splitKeyValue(text: string): { key: string; rest: string } {
  const match = /^(\S+)(?:\s+([\s\S]*))?$/.exec(text);
  return { key: match?.[1] ?? '', rest: (match?.[2] ?? '').trim() };
}
