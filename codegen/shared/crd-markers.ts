/**
 * The root markers: TSDoc tags on a kind's root type that carry what a CRD holds outside the
 * schema (names, printer columns, subresources, storage, deprecation, conversion, CRD metadata).
 * Group, version, kind, plural and scope come from the `Resource` descriptor const when there is
 * one, and from `@group`/`@version`/`@plural`/`@scope` tags otherwise.
 * @module
 */
import { InvalidMarkerError, type SourceLocation } from '../errors.js';
import type { CrdDocument, CrdVersion } from './crd.js';
import { isJsonObject, jsonEqual, type JsonObject, type JsonValue } from './json.js';
import { decodeValue, encodeValue, splitKeyValue, type MarkerCodec } from './markers.js';
import type { DocTag } from './tsdoc.js';

/** Root tag names. */
export const ROOT_TAGS = Object.freeze({
  group: 'group',
  version: 'version',
  plural: 'plural',
  scope: 'scope',
  crdName: 'crdName',
  annotation: 'annotation',
  label: 'label',
  crdMetadata: 'crdMetadata',
  singular: 'singular',
  listKind: 'listKind',
  shortName: 'shortName',
  category: 'category',
  crdNames: 'crdNames',
  conversion: 'conversion',
  crdSpec: 'crdSpec',
  storageVersion: 'storageVersion',
  served: 'served',
  deprecated: 'deprecated',
  printColumn: 'printColumn',
  selectableField: 'selectableField',
  subresource: 'subresource',
  versionSpec: 'versionSpec',
});

const ROOT_TAG_NAMES: ReadonlySet<string> = new Set(Object.values(ROOT_TAGS));

/** Whether a tag name is a root marker. */
export function isRootTag(name: string): boolean {
  return ROOT_TAG_NAMES.has(name);
}

const KNOWN_METADATA = new Set(['name', 'annotations', 'labels']);
const KNOWN_NAMES = new Set(['kind', 'plural', 'singular', 'listKind', 'shortNames', 'categories']);
const KNOWN_SPEC = new Set(['group', 'names', 'scope', 'versions', 'conversion']);

function tag(name: string, value: JsonValue | '', codec: MarkerCodec = 'text'): DocTag {
  return { name, value: value === '' ? '' : encodeValue(value, codec) };
}

/**
 * The root tags for one version of a CRD: everything except what the descriptor carries (group,
 * version name, kind, plural, scope) and the schema. Every version's root gets the CRD-level tags,
 * so each generated file stands alone; `generate crd` checks they agree.
 */
export function crdToRootTags(crd: CrdDocument, version: CrdVersion): DocTag[] {
  const tags: DocTag[] = [];
  const { spec, metadata } = crd;
  const names = spec.names;
  // version level
  const handled = new Set(['name', 'served', 'storage', 'schema']);
  if (version.storage) tags.push(tag(ROOT_TAGS.storageVersion, ''));
  if (!version.served) tags.push({ name: ROOT_TAGS.served, value: 'false' });
  const warning = version['deprecationWarning'];
  if (version['deprecated'] === true && (warning === undefined || typeof warning === 'string')) {
    tags.push(typeof warning === 'string' ? tag(ROOT_TAGS.deprecated, warning) : tag(ROOT_TAGS.deprecated, ''));
    handled.add('deprecated').add('deprecationWarning');
  }
  const columns = version['additionalPrinterColumns'];
  if (Array.isArray(columns) && columns.length > 0) {
    for (const column of columns) tags.push(tag(ROOT_TAGS.printColumn, column, 'json'));
    handled.add('additionalPrinterColumns');
  }
  const selectable = version['selectableFields'];
  if (Array.isArray(selectable) && selectable.length > 0 && selectable.every((f) => isJsonObject(f) && Object.keys(f).length === 1 && typeof f['jsonPath'] === 'string')) {
    for (const field of selectable) if (isJsonObject(field)) tags.push(tag(ROOT_TAGS.selectableField, String(field['jsonPath'])));
    handled.add('selectableFields');
  }
  const subresources = version['subresources'];
  if (isJsonObject(subresources) && Object.keys(subresources).length > 0 && isSimpleSubresources(subresources)) {
    if (subresources['status'] !== undefined) tags.push(tag(ROOT_TAGS.subresource, 'status'));
    const scale = subresources['scale'];
    if (scale !== undefined) tags.push({ name: ROOT_TAGS.subresource, value: `scale ${JSON.stringify(scale)}` });
    handled.add('subresources');
  }
  for (const [key, value] of Object.entries(version)) {
    if (!handled.has(key)) tags.push({ name: ROOT_TAGS.versionSpec, value: `${key} ${JSON.stringify(value)}` });
  }
  // CRD level
  const name = metadata['name'];
  if (name !== `${names.plural}.${spec.group}`) tags.push(tag(ROOT_TAGS.crdName, name ?? ''));
  const annotations = metadata['annotations'];
  if (isJsonObject(annotations)) for (const [key, value] of Object.entries(annotations)) tags.push({ name: ROOT_TAGS.annotation, value: `${key} ${encodeValue(value, 'text')}` });
  const labels = metadata['labels'];
  if (isJsonObject(labels)) for (const [key, value] of Object.entries(labels)) tags.push({ name: ROOT_TAGS.label, value: `${key} ${encodeValue(value, 'text')}` });
  for (const [key, value] of Object.entries(metadata)) {
    if (KNOWN_METADATA.has(key) && (key === 'name' || isJsonObject(value))) continue;
    tags.push({ name: ROOT_TAGS.crdMetadata, value: `${key} ${JSON.stringify(value)}` });
  }
  if (typeof names['singular'] === 'string') tags.push(tag(ROOT_TAGS.singular, names['singular']));
  if (typeof names['listKind'] === 'string') tags.push(tag(ROOT_TAGS.listKind, names['listKind']));
  const shortNames = names['shortNames'];
  const categories = names['categories'];
  const stringList = (v: JsonValue | undefined): v is string[] => Array.isArray(v) && v.length > 0 && v.every((s) => typeof s === 'string' && s.trim() === s && s !== '');
  if (stringList(shortNames)) for (const s of shortNames) tags.push(tag(ROOT_TAGS.shortName, s));
  if (stringList(categories)) for (const c of categories) tags.push(tag(ROOT_TAGS.category, c));
  for (const [key, value] of Object.entries(names)) {
    if (KNOWN_NAMES.has(key) && typeof value === 'string') continue;
    if ((key === 'shortNames' && stringList(shortNames)) || (key === 'categories' && stringList(categories))) continue;
    tags.push({ name: ROOT_TAGS.crdNames, value: `${key} ${JSON.stringify(value)}` });
  }
  if (spec['conversion'] !== undefined) tags.push(tag(ROOT_TAGS.conversion, spec['conversion'], 'json'));
  // `generate crd` gives a kind of several versions a conversion webhook unless told otherwise:
  // say what the API server defaults to, so the CRD round-trips.
  else if (Array.isArray(spec['versions']) && spec['versions'].length > 1) tags.push(tag(ROOT_TAGS.conversion, { strategy: 'None' }, 'json'));
  for (const [key, value] of Object.entries(spec)) {
    if (KNOWN_SPEC.has(key)) continue;
    tags.push({ name: ROOT_TAGS.crdSpec, value: `${key} ${JSON.stringify(value)}` });
  }
  return tags;
}

function isSimpleSubresources(value: JsonValue | undefined): boolean {
  if (!isJsonObject(value)) return false;
  return Object.entries(value).every(([key, item]) => (key === 'status' && isJsonObject(item) && Object.keys(item).length === 0) || (key === 'scale' && isJsonObject(item)));
}

/** What a root's tags say about its CRD and version (only the parts that were tagged). */
export interface RootMarkers {
  /** CRD `metadata` pieces (name, annotations, labels, other keys). */
  readonly metadata: JsonObject;
  /** `spec.names` pieces other than kind and plural. */
  readonly names: JsonObject;
  /** `spec` pieces other than group, names, scope, versions. */
  readonly spec: JsonObject;
  /** The version entry pieces other than name and schema. */
  readonly version: JsonObject;
  /** `@group`, `@version`, `@plural`, `@scope` (used when there is no descriptor). */
  readonly group?: string;
  readonly versionName?: string;
  readonly plural?: string;
  readonly scope?: string;
}

/**
 * Reads the root tags among `tags`; returns them as CRD pieces and the remaining tags (schema
 * markers of the root node and unknown tags). Throws `InvalidMarkerError` on a malformed value.
 */
export function readRootTags(tags: readonly DocTag[], location: SourceLocation): { markers: RootMarkers; rest: DocTag[] } {
  const metadata: JsonObject = {};
  const names: JsonObject = {};
  const spec: JsonObject = {};
  const version: JsonObject = {};
  const rest: DocTag[] = [];
  let group: string | undefined;
  let versionName: string | undefined;
  let plural: string | undefined;
  let scope: string | undefined;
  const json = (t: DocTag, text: string, codec: MarkerCodec = 'json'): JsonValue => {
    try {
      return decodeValue(text, codec);
    } catch (err) {
      throw new InvalidMarkerError(location, t.name, `cannot parse ${JSON.stringify(text)}: ${err instanceof Error ? err.message : String(err)}`);
    }
  };
  const text = (t: DocTag): string => {
    const value = json(t, t.value, 'text');
    if (typeof value !== 'string' || value === '') throw new InvalidMarkerError(location, t.name, 'expects a value');
    return value;
  };
  const keyed = (t: DocTag, codec: MarkerCodec): [string, JsonValue] => {
    const { key, rest: value } = splitKeyValue(t.value);
    if (key === '') throw new InvalidMarkerError(location, t.name, 'expects `<key> <value>`');
    return [key, json(t, value, codec)];
  };
  const push = (target: JsonObject, key: string, value: JsonValue): void => {
    const list = target[key];
    target[key] = Array.isArray(list) ? [...list, value] : [value];
  };
  const into = (target: JsonObject, key: string, entry: [string, JsonValue]): void => {
    const map = isJsonObject(target[key]) ? target[key] : {};
    map[entry[0]] = entry[1];
    target[key] = map;
  };
  for (const t of tags) {
    switch (t.name) {
      case ROOT_TAGS.group: group = text(t); break;
      case ROOT_TAGS.version: versionName = text(t); break;
      case ROOT_TAGS.plural: plural = text(t); break;
      case ROOT_TAGS.scope: scope = text(t); break;
      case ROOT_TAGS.crdName: metadata['name'] = text(t); break;
      case ROOT_TAGS.annotation: into(metadata, 'annotations', keyed(t, 'text')); break;
      case ROOT_TAGS.label: into(metadata, 'labels', keyed(t, 'text')); break;
      case ROOT_TAGS.crdMetadata: { const [k, v] = keyed(t, 'json'); metadata[k] = v; break; }
      case ROOT_TAGS.singular: names['singular'] = text(t); break;
      case ROOT_TAGS.listKind: names['listKind'] = text(t); break;
      case ROOT_TAGS.shortName: push(names, 'shortNames', text(t)); break;
      case ROOT_TAGS.category: push(names, 'categories', text(t)); break;
      case ROOT_TAGS.crdNames: { const [k, v] = keyed(t, 'json'); names[k] = v; break; }
      case ROOT_TAGS.conversion: spec['conversion'] = json(t, t.value); break;
      case ROOT_TAGS.crdSpec: { const [k, v] = keyed(t, 'json'); spec[k] = v; break; }
      case ROOT_TAGS.storageVersion: version['storage'] = true; break;
      case ROOT_TAGS.served: {
        const served = json(t, t.value);
        if (typeof served !== 'boolean') throw new InvalidMarkerError(location, t.name, 'expects true or false');
        version['served'] = served;
        break;
      }
      case ROOT_TAGS.deprecated:
        version['deprecated'] = true;
        if (t.value !== '') version['deprecationWarning'] = json(t, t.value, 'text');
        break;
      case ROOT_TAGS.printColumn: push(version, 'additionalPrinterColumns', json(t, t.value)); break;
      case ROOT_TAGS.selectableField: push(version, 'selectableFields', { jsonPath: text(t) }); break;
      case ROOT_TAGS.subresource: {
        const { key, rest: value } = splitKeyValue(t.value);
        if (key !== 'status' && key !== 'scale') throw new InvalidMarkerError(location, t.name, 'expects `status` or `scale {json}`');
        const parsed = key === 'status' ? {} : json(t, value);
        if (!isJsonObject(parsed)) throw new InvalidMarkerError(location, t.name, 'scale expects a JSON object');
        into(version, 'subresources', [key, parsed]);
        break;
      }
      case ROOT_TAGS.versionSpec: { const [k, v] = keyed(t, 'json'); version[k] = v; break; }
      default: rest.push(t);
    }
  }
  return {
    markers: { metadata, names, spec, version, ...(group === undefined ? {} : { group }), ...(versionName === undefined ? {} : { versionName }), ...(plural === undefined ? {} : { plural }), ...(scope === undefined ? {} : { scope }) },
    rest,
  };
}

/** Whether two CRD-level marker sets agree (for versions of one kind declared in several files). */
export function sameCrdMarkers(a: RootMarkers, b: RootMarkers): boolean {
  return jsonEqual(a.metadata, b.metadata) && jsonEqual(a.names, b.names) && jsonEqual(a.spec, b.spec);
}
