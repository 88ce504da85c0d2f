/**
 * A CRD version's structural schema as a fast-check arbitrary (objects the API server would
 * accept, roughly) and as a checker of what a conversion produced.
 * @module
 */
import fc from 'fast-check';

/** The part of an OpenAPI v3 structural schema this module reads. */
export interface StructuralSchema {
  readonly type?: string;
  readonly properties?: Readonly<Record<string, StructuralSchema>>;
  readonly required?: readonly string[];
  readonly additionalProperties?: StructuralSchema | boolean;
  readonly items?: StructuralSchema;
  readonly enum?: readonly unknown[];
  readonly minimum?: number;
  readonly maximum?: number;
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly minItems?: number;
  readonly maxItems?: number;
  readonly format?: string;
  readonly nullable?: boolean;
  readonly 'x-kubernetes-int-or-string'?: boolean;
  readonly 'x-kubernetes-preserve-unknown-fields'?: boolean;
}

const ENVELOPE = new Set(['apiVersion', 'kind', 'metadata']);

const smallJson = fc.jsonValue({ maxDepth: 2 }).map((v) => JSON.parse(JSON.stringify(v)) as unknown);

function stringArbitrary(schema: StructuralSchema): fc.Arbitrary<string> {
  if (schema.format === 'date-time') return fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true }).map((d) => `${d.toISOString().slice(0, 19)}Z`);
  const minLength = schema.minLength ?? 0;
  return fc.string({ minLength, maxLength: Math.max(minLength, Math.min(schema.maxLength ?? 12, 12)) });
}

/**
 * Arbitrary values of `schema`: types, enums, required properties, bounds and lengths (capped
 * small), `additionalProperties` maps, int-or-string, preserve-unknown-fields.
 *
 * Caveats: `pattern`, `format`s other than date-time, CEL rules and `oneOf`/`anyOf` are not read,
 * so some values are ones the API server would refuse; pass your own arbitrary where that matters.
 */
export function arbitraryOf(schema: StructuralSchema, depth = 0): fc.Arbitrary<unknown> {
  const plain = ((): fc.Arbitrary<unknown> => {
    if (schema.enum !== undefined && schema.enum.length > 0) return fc.constantFrom(...schema.enum);
    if (schema['x-kubernetes-int-or-string'] === true) return fc.oneof(fc.integer({ min: 0, max: 1000 }), stringArbitrary(schema));
    switch (schema.type) {
      case 'string':
        return stringArbitrary(schema);
      case 'integer':
        return fc.integer({ min: schema.minimum ?? -1000, max: schema.maximum ?? 1000 });
      case 'number':
        return fc.double({ min: schema.minimum ?? -1000, max: schema.maximum ?? 1000, noNaN: true, noDefaultInfinity: true }).map((n) => (Object.is(n, -0) ? 0 : n));
      case 'boolean':
        return fc.boolean();
      case 'array': {
        const minLength = schema.minItems ?? 0;
        return fc.array(schema.items === undefined ? smallJson : arbitraryOf(schema.items, depth + 1), { minLength, maxLength: Math.max(minLength, Math.min(schema.maxItems ?? 3, 3)) });
      }
      case 'object':
      case undefined: {
        const properties = schema.properties ?? {};
        const names = Object.keys(properties).filter((name) => depth > 0 || !ENVELOPE.has(name));
        if (names.length > 0) {
          const record = Object.fromEntries(names.map((name) => [name, arbitraryOf(properties[name] as StructuralSchema, depth + 1)]));
          return fc.record(record, { requiredKeys: (schema.required ?? []).filter((r) => names.includes(r)) });
        }
        const additional = schema.additionalProperties;
        if (typeof additional === 'object') return fc.dictionary(fc.string({ minLength: 1, maxLength: 6 }), arbitraryOf(additional, depth + 1), { maxKeys: 3 });
        if (schema.type === undefined || schema['x-kubernetes-preserve-unknown-fields'] === true || additional === true) return fc.dictionary(fc.string({ minLength: 1, maxLength: 6 }), smallJson, { maxKeys: 3 });
        return fc.constant({});
      }
      default:
        return smallJson;
    }
  })();
  return schema.nullable === true ? fc.oneof(plain, fc.constant(null)) : plain;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * What in `value` does not fit `schema`, as `path: problem` lines (empty when it fits): a field
 * the schema does not declare (which the API server would prune, silently losing it), a wrong
 * type, a value outside an enum or bounds, a missing required property. `apiVersion`, `kind` and
 * `metadata` at the root are not checked.
 */
export function schemaProblems(value: unknown, schema: StructuralSchema, path = '', depth = 0): string[] {
  const at = path === '' ? '<root>' : path;
  if (value === null) return schema.nullable === true ? [] : [`${at}: null, but the schema is not nullable`];
  if (schema.enum !== undefined && schema.enum.length > 0 && !schema.enum.some((e) => JSON.stringify(e) === JSON.stringify(value))) {
    return [`${at}: ${JSON.stringify(value)} is not one of ${JSON.stringify(schema.enum)}`];
  }
  if (schema['x-kubernetes-int-or-string'] === true) return typeof value === 'string' || Number.isInteger(value) ? [] : [`${at}: neither an integer nor a string`];
  const kind = Array.isArray(value) ? 'array' : typeof value === 'number' ? (Number.isInteger(value) ? 'integer' : 'number') : typeof value;
  const type = schema.type;
  if (type !== undefined && !(type === kind || (type === 'number' && kind === 'integer') || (type === 'object' && kind === 'object'))) return [`${at}: a ${kind}, but the schema says ${type}`];
  const problems: string[] = [];
  if (typeof value === 'number') {
    if (schema.minimum !== undefined && value < schema.minimum) problems.push(`${at}: ${value} is below the minimum ${schema.minimum}`);
    if (schema.maximum !== undefined && value > schema.maximum) problems.push(`${at}: ${value} is above the maximum ${schema.maximum}`);
  }
  if (typeof value === 'string' && schema.maxLength !== undefined && value.length > schema.maxLength) problems.push(`${at}: longer than ${schema.maxLength}`);
  if (Array.isArray(value) && schema.items !== undefined) value.forEach((item, i) => problems.push(...schemaProblems(item, schema.items as StructuralSchema, `${path}[${i}]`, depth + 1)));
  if (isObject(value) && (type === 'object' || type === undefined)) {
    const properties = schema.properties;
    for (const required of schema.required ?? []) if (!(required in value)) problems.push(`${path === '' ? '' : `${path}.`}${required}: required, but missing`);
    for (const [key, item] of Object.entries(value)) {
      if (depth === 0 && ENVELOPE.has(key)) continue;
      const child = `${path === '' ? '' : `${path}.`}${key}`;
      const declared = properties?.[key];
      if (declared !== undefined) problems.push(...schemaProblems(item, declared, child, depth + 1));
      else if (typeof schema.additionalProperties === 'object') problems.push(...schemaProblems(item, schema.additionalProperties, child, depth + 1));
      else if (properties !== undefined && schema['x-kubernetes-preserve-unknown-fields'] !== true && schema.additionalProperties !== true) {
        problems.push(`${child}: not in the schema, so the API server prunes it (drop it in the converter; the lossless annotation keeps what the target cannot hold)`);
      }
    }
  }
  return problems;
}
