/**
 * The normalization under which a CRD and the CRD rebuilt from its generated TypeScript are
 * compared (the round-trip guarantee). Documented in docs/markers.md:
 *
 * 1. both are parsed into plain data; object key order is ignored (YAML comments and layout too);
 * 2. `required` lists are compared as sets (TypeScript declares members, not an order of names);
 * 3. `spec.versions` are compared by name (sorted), not by position;
 * 4. no `spec.conversion` is `{ strategy: None }`, what the API server defaults it to.
 *
 * Nothing else is dropped: descriptions, validation, CEL rules, list/map types, printer columns,
 * subresources, conversion, names and CRD metadata must all be equal.
 * @module
 */
import { isJsonObject, type JsonObject, type JsonValue } from './json.js';

function normalizeSchema(value: JsonValue, parentKey: string | undefined): JsonValue {
  if (Array.isArray(value)) {
    const items = value.map((item) => normalizeSchema(item, undefined));
    if (parentKey === 'required' && items.every((i) => typeof i === 'string')) return [...(items as string[])].sort();
    return items;
  }
  if (!isJsonObject(value)) return value;
  const out: JsonObject = {};
  for (const key of Object.keys(value).sort()) {
    // inside `properties`, keys are property names (one may be called `required`)
    out[key] = parentKey === 'properties' ? normalizeSchema(value[key] as JsonValue, undefined) : normalizeSchema(value[key] as JsonValue, key);
  }
  return out;
}

/** A CRD in normal form (see module doc); two CRDs round-trip when their normal forms are equal. */
export function normalizeForComparison(crd: JsonObject): JsonObject {
  const copy = structuredClone(crd);
  const spec = copy['spec'];
  if (isJsonObject(spec) && spec['conversion'] === undefined) spec['conversion'] = { strategy: 'None' };
  if (isJsonObject(spec) && Array.isArray(spec['versions'])) {
    const versions = spec['versions'].map((v) => {
      if (!isJsonObject(v)) return v;
      const schema = v['schema'];
      return isJsonObject(schema) ? { ...v, schema: normalizeSchema(schema, undefined) } : v;
    });
    versions.sort((a, b) => {
      const an = isJsonObject(a) ? String(a['name']) : '';
      const bn = isJsonObject(b) ? String(b['name']) : '';
      return an < bn ? -1 : an > bn ? 1 : 0;
    });
    spec['versions'] = versions;
  }
  return normalizeSchema(copy, undefined) as JsonObject;
}
