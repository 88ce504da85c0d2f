/**
 * The checks the API server makes on an `apiextensions.k8s.io/v1` CRD schema that decide whether
 * code can be generated from it: keywords it forbids (`$ref`, `definitions`, …), keywords of the
 * wrong JSON type (`type: 12`, `properties: "nope"`), unknown types (`type: objekt`) and the
 * structural-schema rules (every field has a type, arrays have items, junctors add no types or
 * defaults, root metadata restricts only name and generateName).
 *
 * There is no escape hatch for non-structural schemas: v1 (the only version accepted) requires a
 * structural schema, so the API server rejects such a CRD on create and nothing generated from it
 * could ever talk to a cluster.
 * @module
 */
import type { SchemaProblem } from '../errors.js';
import { isJsonObject, type JsonObject, type JsonValue } from '../shared/json.js';

const TYPES: readonly string[] = ['array', 'boolean', 'integer', 'number', 'object', 'string'];

/** Keywords of JSON Schema that Kubernetes CRD schemas forbid, with the fix. */
const FORBIDDEN: Readonly<Record<string, string>> = {
  $ref: 'CRD schemas cannot reference other schemas; inline the referenced schema',
  $schema: 'remove it; CRD schemas are always OpenAPI v3',
  id: 'remove it',
  definitions: 'CRD schemas cannot hold definitions; inline them where they are used',
  dependencies: 'remove it; use x-kubernetes-validations (CEL) for cross-field rules',
  additionalItems: 'remove it; items is a single schema in CRDs',
  patternProperties: 'use additionalProperties, with x-kubernetes-validations on the keys if needed',
};

const STRING_KEYWORDS = ['description', 'format', 'pattern', 'title', 'x-kubernetes-list-type', 'x-kubernetes-map-type'];
const BOOLEAN_KEYWORDS = ['nullable', 'exclusiveMinimum', 'exclusiveMaximum', 'uniqueItems', 'x-kubernetes-embedded-resource', 'x-kubernetes-int-or-string', 'x-kubernetes-preserve-unknown-fields'];
const NUMBER_KEYWORDS = ['minimum', 'maximum', 'multipleOf'];
const INTEGER_KEYWORDS = ['minLength', 'maxLength', 'minItems', 'maxItems', 'minProperties', 'maxProperties'];
const STRING_LIST_KEYWORDS = ['required', 'x-kubernetes-list-map-keys'];
const LIST_KEYWORDS = ['enum', 'x-kubernetes-validations'];
const JUNCTORS = ['allOf', 'anyOf', 'oneOf'];
/** Keywords a junctor (allOf/anyOf/oneOf/not) must not hold in a structural schema. */
const NOT_IN_JUNCTORS = ['type', 'description', 'default', 'nullable', 'additionalProperties', 'x-kubernetes-preserve-unknown-fields', 'x-kubernetes-embedded-resource', 'x-kubernetes-int-or-string'];

/** Where a node sits, which decides the structural rules that apply to it. */
type Context = 'root' | 'field' | 'junctor';

/**
 * A node's path, built only when a problem is reported (most nodes have none): the path of the
 * parent and the keys from it (`properties`, a field name; `items`; `anyOf`, an index).
 */
interface PathRef {
  readonly parent: PathRef | string;
  readonly key: string | number;
  readonly key2?: string | number;
}

interface Frame {
  readonly node: JsonValue;
  readonly at: PathRef | string;
  readonly context: Context;
  /** Inside a junctor of an `x-kubernetes-int-or-string` node (where `type` is allowed). */
  readonly intOrString: boolean;
}

/** `a.b`, or `a["x-y"]` for a key that is not an identifier. */
export function childPath(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
}

function pathText(at: PathRef | string): string {
  if (typeof at === 'string') return at;
  const path = childPath(pathText(at.parent), at.key);
  return at.key2 === undefined ? path : childPath(path, at.key2);
}

/**
 * Every problem of `schema` (an `openAPIV3Schema`) at `path`, in document order, at most `limit`.
 * An empty list means the API server would accept the schema as far as these rules go.
 */
export function schemaProblems(schema: JsonValue, path: string, limit = 50): SchemaProblem[] {
  const problems: SchemaProblem[] = [];
  const stack: Frame[] = [{ node: schema, at: path, context: 'root', intOrString: false }];
  const children: Frame[] = [];
  while (stack.length > 0 && problems.length < limit) {
    const frame = stack.pop() as Frame;
    checkNode(frame, problems, children);
    for (let i = children.length - 1; i >= 0; i -= 1) stack.push(children[i] as Frame);
    children.length = 0;
  }
  return problems.slice(0, limit);
}

function checkNode(frame: Frame, problems: SchemaProblem[], children: Frame[]): void {
  const { node, at, context } = frame;
  const problem = (key: string | undefined, rule: string, message: string): void => {
    const path = pathText(at);
    problems.push({ path: key === undefined ? path : childPath(path, key), rule, message });
  };
  if (!isJsonObject(node)) {
    problem(undefined, 'schema-not-object', `a schema must be a mapping of keywords, not ${describe(node)}`);
    return;
  }
  checkKeywordTypes(node, problem);
  const type = node['type'];
  const preserve = node['x-kubernetes-preserve-unknown-fields'] === true;
  const intOrString = node['x-kubernetes-int-or-string'] === true;
  if (type !== undefined) {
    if (typeof type !== 'string') problem('type', 'type-not-string', `type must be one of ${TYPES.join(', ')}, not ${describe(type)}`);
    else if (type !== '' && !TYPES.includes(type)) problem('type', 'unknown-type', `unknown type ${JSON.stringify(type)}; use one of ${TYPES.join(', ')}`);
  }
  if (context === 'junctor') {
    for (const key of NOT_IN_JUNCTORS) {
      if (node[key] === undefined || (key === 'type' && frame.intOrString)) continue;
      problem(key, 'junctor-keyword', `${key} is not allowed inside allOf/anyOf/oneOf/not of a structural schema; move it to the schema itself`);
    }
  } else {
    if ((type === undefined || type === '') && !preserve && !intOrString) {
      problem(undefined, 'type-required', context === 'root' ? 'the root schema needs type: object' : 'every field needs a type (or x-kubernetes-preserve-unknown-fields: true for free-form data, x-kubernetes-int-or-string: true for int-or-string)');
    } else if (context === 'root' && type !== 'object') {
      problem('type', 'root-type-object', `the root schema must be type: object, not ${JSON.stringify(type)}`);
    }
    if (type === 'array' && node['items'] === undefined) problem(undefined, 'items-required', 'an array needs an items schema');
  }
  if (node['x-kubernetes-preserve-unknown-fields'] === false) {
    problem('x-kubernetes-preserve-unknown-fields', 'preserve-unknown-fields-false', 'x-kubernetes-preserve-unknown-fields must be true or absent');
  }
  if (node['uniqueItems'] === true) problem('uniqueItems', 'unique-items', 'uniqueItems: true is not allowed (its check is quadratic); use x-kubernetes-list-type: set');
  const nested: Context = context === 'junctor' ? 'junctor' : 'field';
  const properties = node['properties'];
  if (properties !== undefined) {
    if (!isJsonObject(properties)) {
      problem('properties', 'properties-not-object', `properties must be a mapping from field name to schema, not ${describe(properties)}`);
    } else {
      if (node['additionalProperties'] !== undefined && node['additionalProperties'] !== false) {
        problem('additionalProperties', 'properties-and-additionalProperties', 'properties and additionalProperties cannot both be set; keep one');
      }
      if (context === 'root') checkRootMetadata(properties['metadata'], () => childPath(childPath(pathText(at), 'properties'), 'metadata'), problems);
      for (const name in properties) {
        children.push({ node: properties[name] as JsonValue, at: { parent: at, key: 'properties', key2: name }, context: nested, intOrString: false });
      }
    }
  }
  const additional = node['additionalProperties'];
  if (additional !== undefined && typeof additional !== 'boolean') {
    if (isJsonObject(additional)) children.push({ node: additional, at: { parent: at, key: 'additionalProperties' }, context: nested, intOrString: false });
    else problem('additionalProperties', 'additionalProperties-not-schema', `additionalProperties must be a schema or a boolean, not ${describe(additional)}`);
  }
  const items = node['items'];
  if (items !== undefined) {
    if (isJsonObject(items)) children.push({ node: items, at: { parent: at, key: 'items' }, context: nested, intOrString: false });
    else problem('items', 'items-not-schema', `items must be one schema (a mapping), not ${describe(items)}`);
  }
  for (const junctor of JUNCTORS) {
    const list = node[junctor];
    if (list === undefined) continue;
    if (!Array.isArray(list)) {
      problem(junctor, 'keyword-type', `${junctor} must be a list of schemas, not ${describe(list)}`);
      continue;
    }
    list.forEach((child, i) => children.push({ node: child, at: { parent: at, key: junctor, key2: i }, context: 'junctor', intOrString: intOrString || frame.intOrString }));
  }
  if (node['not'] !== undefined) children.push({ node: node['not'], at: { parent: at, key: 'not' }, context: 'junctor', intOrString: false });
}

/** What each typed keyword must hold, as a check and its wording. */
interface KeywordType {
  readonly ok: (value: JsonValue) => boolean;
  readonly what: string;
}

const KEYWORD_TYPES: ReadonlyMap<string, KeywordType> = new Map<string, KeywordType>([
  ...STRING_KEYWORDS.map((key) => [key, { ok: (v: JsonValue) => typeof v === 'string', what: 'a string' }] as [string, KeywordType]),
  ...BOOLEAN_KEYWORDS.map((key) => [key, { ok: (v: JsonValue) => typeof v === 'boolean', what: 'true or false' }] as [string, KeywordType]),
  ...NUMBER_KEYWORDS.map((key) => [key, { ok: (v: JsonValue) => typeof v === 'number', what: 'a number' }] as [string, KeywordType]),
  ...INTEGER_KEYWORDS.map((key) => [key, { ok: (v: JsonValue) => typeof v === 'number' && Number.isInteger(v) && v >= 0, what: 'a non-negative integer' }] as [string, KeywordType]),
  ...STRING_LIST_KEYWORDS.map((key) => [key, { ok: (v: JsonValue) => Array.isArray(v) && v.every((item) => typeof item === 'string'), what: 'a list of strings' }] as [string, KeywordType]),
  ...LIST_KEYWORDS.map((key) => [key, { ok: (v: JsonValue) => Array.isArray(v), what: 'a list' }] as [string, KeywordType]),
]);

function checkKeywordTypes(node: JsonObject, problem: (key: string, rule: string, message: string) => void): void {
  for (const key in node) {
    const expected = KEYWORD_TYPES.get(key);
    const value = node[key] as JsonValue;
    if (expected !== undefined && !expected.ok(value)) problem(key, 'keyword-type', `${key} must be ${expected.what}, not ${describe(value)}`);
    const fix = FORBIDDEN[key];
    if (fix !== undefined && Object.hasOwn(FORBIDDEN, key)) problem(key, 'forbidden-keyword', `${key} is not allowed in a CRD schema: ${fix}`);
  }
}

/** Root `metadata` may only be `type: object`, restricting `name` and `generateName`. */
function checkRootMetadata(metadata: JsonValue | undefined, pathOf: () => string, problems: SchemaProblem[]): void {
  if (!isJsonObject(metadata)) return;
  const properties = metadata['properties'];
  if (!isJsonObject(properties)) return;
  for (const name of Object.keys(properties)) {
    if (name !== 'name' && name !== 'generateName') {
      problems.push({ path: childPath(childPath(pathOf(), 'properties'), name), rule: 'root-metadata', message: 'the root metadata schema may only restrict name and generateName; remove this field (metadata is always an ObjectMeta)' });
    }
  }
}

function describe(value: JsonValue): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return `${typeof value} ${JSON.stringify(value)}`;
}
