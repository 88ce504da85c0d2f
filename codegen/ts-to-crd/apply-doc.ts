/**
 * Applying TSDoc (description and schema markers) to the schema a TypeScript type gives. Docs are
 * applied in order: a declaration's doc first, then the doc at the use site (a property), so the
 * use site wins key by key, as controller-gen does with a type's and a field's markers.
 * @module
 */
import { InvalidMarkerError, type CodegenWarning, type SourceLocation } from '../errors.js';
import { isRootTag } from '../shared/crd-markers.js';
import { isJsonObject, type JsonObject, type JsonValue } from '../shared/json.js';
import { decodeValue, markerForTag, splitKeyValue, SPECIAL_SCHEMA_TAGS, type MarkerCodec } from '../shared/markers.js';
import type { DocComment, DocTag } from '../shared/tsdoc.js';

/** A doc and where it is (for error messages). */
export interface LocatedDoc {
  readonly doc: DocComment;
  readonly location: SourceLocation;
}

/** The schema a type gives before docs are applied. */
export interface TypeSchema {
  readonly schema: JsonObject;
  /** `type` was inferred from `number`: it becomes `integer` when the final format is int32/int64. */
  readonly numeric: boolean;
}

/** Tags that are handled by the caller and must be ignored here. */
const CALLER_TAGS: ReadonlySet<string> = new Set([SPECIAL_SCHEMA_TAGS.notInSchema]);

/** TSDoc tags that are documentation only (never warned about). */
const DOC_ONLY_TAGS: ReadonlySet<string> = new Set(['remarks', 'see', 'example', 'link', 'privateRemarks', 'since', 'todo', 'internal', 'public', 'beta', 'alpha', 'experimental']);

interface DocEffect {
  description?: string;
  assign: JsonObject;
  unset: string[];
  type?: string;
  required: string[];
  whole?: JsonObject;
}

function decode(tag: DocTag, text: string, codec: MarkerCodec, location: SourceLocation): JsonValue {
  try {
    return decodeValue(text, codec);
  } catch (err) {
    throw new InvalidMarkerError(location, tag.name, `cannot parse ${JSON.stringify(text)}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

function readDoc(located: LocatedDoc, warnings: CodegenWarning[], root: boolean): DocEffect {
  const { doc, location } = located;
  const effect: DocEffect = { assign: {}, unset: [], required: [] };
  if (doc.description !== undefined) effect.description = doc.description;
  const repeated = new Set<string>();
  for (const tag of doc.tags) {
    const marker = markerForTag(tag.name);
    if (marker !== undefined) {
      const value = decode(tag, tag.value, marker.codec, location);
      if (marker.repeated === true && !Array.isArray(value)) {
        const list = repeated.has(marker.key) ? effect.assign[marker.key] : undefined;
        effect.assign[marker.key] = Array.isArray(list) ? [...list, value] : [value];
        repeated.add(marker.key);
      } else {
        effect.assign[marker.key] = value;
      }
      continue;
    }
    switch (tag.name) {
      case SPECIAL_SCHEMA_TAGS.description: {
        const value = decode(tag, tag.value, 'text', location);
        if (typeof value !== 'string') throw new InvalidMarkerError(location, tag.name, 'expects a string');
        effect.description = value;
        break;
      }
      case SPECIAL_SCHEMA_TAGS.type: {
        const value = decode(tag, tag.value, 'text', location);
        if (typeof value !== 'string' || value === '') throw new InvalidMarkerError(location, tag.name, 'expects a type name or `none`');
        effect.type = value;
        break;
      }
      case SPECIAL_SCHEMA_TAGS.required: {
        const value = decode(tag, tag.value, 'json', location);
        if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) throw new InvalidMarkerError(location, tag.name, 'expects a JSON list of names');
        effect.required.push(...(value as string[]));
        break;
      }
      case SPECIAL_SCHEMA_TAGS.schema: {
        const value = decode(tag, tag.value, 'json', location);
        if (!isJsonObject(value)) throw new InvalidMarkerError(location, tag.name, 'expects a JSON object');
        effect.whole = value;
        break;
      }
      case SPECIAL_SCHEMA_TAGS.openapi: {
        const { key, rest } = splitKeyValue(tag.value);
        if (key === '' || rest === '') throw new InvalidMarkerError(location, tag.name, 'expects `<keyword> <json>`');
        effect.assign[key] = decode(tag, rest, 'json', location);
        break;
      }
      case SPECIAL_SCHEMA_TAGS.unset: {
        if (tag.value === '') throw new InvalidMarkerError(location, tag.name, 'expects a keyword');
        effect.unset.push(tag.value);
        break;
      }
      default:
        if (CALLER_TAGS.has(tag.name) || DOC_ONLY_TAGS.has(tag.name) || (root && isRootTag(tag.name))) break;
        warnings.push({ location, message: `unknown marker @${tag.name}; ignored` });
    }
  }
  return effect;
}

/**
 * Applies docs (lowest precedence first) to a type's schema and returns the node's schema.
 * `@schema` replaces everything the type said; `@type` overrides the inferred type (`none` drops
 * it); otherwise `number` becomes `integer` when the format is int32 or int64.
 */
export function applyDocs(base: TypeSchema, docs: readonly LocatedDoc[], warnings: CodegenWarning[], options: { root?: boolean } = {}): JsonObject {
  const effects = docs.map((d) => readDoc(d, warnings, options.root === true));
  let description: string | undefined;
  let whole: JsonObject | undefined;
  let type: string | undefined;
  const assign: JsonObject = {};
  const unset = new Set<string>();
  const required: string[] = [];
  for (const effect of effects) {
    if (effect.description !== undefined) description = effect.description;
    if (effect.whole !== undefined) whole = effect.whole;
    if (effect.type !== undefined) type = effect.type;
    Object.assign(assign, effect.assign);
    for (const key of effect.unset) unset.add(key);
    required.push(...effect.required);
  }
  if (whole !== undefined) {
    return description === undefined ? { ...whole } : { description, ...whole };
  }
  const schema: JsonObject = { ...base.schema, ...assign };
  if (description !== undefined) schema['description'] = description;
  if (required.length > 0) {
    const existing = Array.isArray(schema['required']) ? schema['required'] : [];
    schema['required'] = [...existing, ...required.filter((r) => !existing.includes(r))];
  }
  for (const key of unset) delete schema[key];
  if (type !== undefined) {
    if (type === 'none') delete schema['type'];
    else schema['type'] = type;
  } else if (base.numeric && (schema['format'] === 'int32' || schema['format'] === 'int64')) {
    schema['type'] = 'integer';
  }
  return schema;
}
