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
import { isJsonObject, type JsonValue } from '../shared/json.js';

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
/** Keywords a junctor (allOf/anyOf/oneOf/not) must not hold in a structural schema. */
const NOT_IN_JUNCTORS = ['type', 'description', 'default', 'nullable', 'additionalProperties', 'x-kubernetes-preserve-unknown-fields', 'x-kubernetes-embedded-resource', 'x-kubernetes-int-or-string'];

/** Where a node sits, which decides the structural rules that apply to it. */
const ROOT = 0;
const FIELD = 1;
const JUNCTOR = 2;
type Context = typeof ROOT | typeof FIELD | typeof JUNCTOR;

/**
 * A node to check, and its place: the root has its path; any other node its parent and the keys
 * from it (`properties`, a field name; `items`; `anyOf`, an index), so a path is built only when a
 * problem is reported (most nodes have none).
 */
interface Frame {
  readonly node: JsonValue;
  readonly parent: Frame | undefined;
  /** The root's path (`''` for any other node). */
  readonly path: string;
  readonly key: string | number;
  readonly key2: string | number | undefined;
  readonly context: Context;
  /** Inside a junctor of an `x-kubernetes-int-or-string` node (where `type` is allowed). */
  readonly intOrString: boolean;
}

function child(parent: Frame, node: JsonValue, key: string, key2: string | number | undefined, context: Context, intOrString: boolean): Frame {
  return { node, parent, path: '', key, key2, context, intOrString };
}

/** `a.b`, or `a["x-y"]` for a key that is not an identifier. */
export function childPath(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
}

function pathText(frame: Frame): string {
  if (frame.parent === undefined) return frame.path;
  const path = childPath(pathText(frame.parent), frame.key);
  return frame.key2 === undefined ? path : childPath(path, frame.key2);
}

/**
 * One walk over a schema. A full walk keeps each node's place (a {@link Frame}) and collects the
 * problems with their paths; a quick one only finds whether there is any, with the nodes to visit
 * in three parallel lists (nothing allocated per node).
 */
interface Walk {
  readonly full: boolean;
  readonly problems: SchemaProblem[];
  found: boolean;
  /** The full walk's stack. */
  readonly frames: Frame[];
  /** The quick walk's stack: node, context, and whether it is inside an int-or-string junctor. */
  readonly nodes: JsonValue[];
  readonly contexts: Context[];
  readonly flags: boolean[];
}

/**
 * Every problem of `schema` (an `openAPIV3Schema`) at `path`, in document order, at most `limit`.
 * An empty list means the API server would accept the schema as far as these rules go.
 */
export function schemaProblems(schema: JsonValue, path: string, limit = 50): SchemaProblem[] {
  // most schemas have no problem: a quick walk says so without building a frame per node
  const quick: Walk = { full: false, problems: [], found: false, frames: [], nodes: [schema], contexts: [ROOT], flags: [false] };
  while (quick.nodes.length > 0 && !quick.found) {
    const node = quick.nodes.pop() as JsonValue;
    const context = quick.contexts.pop() as Context;
    checkNode(node, context, quick.flags.pop() as boolean, undefined, quick);
  }
  if (!quick.found) return [];
  const problems: SchemaProblem[] = [];
  const stack: Frame[] = [{ node: schema, parent: undefined, path, key: '', key2: undefined, context: ROOT, intOrString: false }];
  const walk: Walk = { full: true, problems, found: false, frames: stack, nodes: [], contexts: [], flags: [] };
  while (stack.length > 0 && problems.length < limit) {
    const frame = stack.pop() as Frame;
    const base = stack.length;
    checkNode(frame.node, frame.context, frame.intOrString, frame, walk);
    // the children were pushed in document order; the first must come off the stack first
    for (let i = base, j = stack.length - 1; i < j; i += 1, j -= 1) {
      const first = stack[i] as Frame;
      stack[i] = stack[j] as Frame;
      stack[j] = first;
    }
  }
  return problems.slice(0, limit);
}

/** A problem of the node at `frame` (or of its keyword `key`); a quick walk only notes that there is one. */
function report(walk: Walk, frame: Frame | undefined, key: string | undefined, rule: string, message: string): void {
  if (!walk.full || frame === undefined) {
    walk.found = true;
    return;
  }
  const path = pathText(frame);
  walk.problems.push({ path: key === undefined ? path : childPath(path, key), rule, message });
}

/** Queues a child schema of the node at `frame` (`undefined` in a quick walk). */
function addChild(walk: Walk, frame: Frame | undefined, node: JsonValue, key: string, key2: string | number | undefined, context: Context, intOrString: boolean): void {
  if (walk.full && frame !== undefined) {
    walk.frames.push(child(frame, node, key, key2, context, intOrString));
    return;
  }
  walk.nodes.push(node);
  walk.contexts.push(context);
  walk.flags.push(intOrString);
}

/**
 * Checks one node (at `context`, `inherited`: inside an int-or-string junctor) and queues its
 * child schemas; `frame` is its place in a full walk.
 */
function checkNode(node: JsonValue, context: Context, inherited: boolean, frame: Frame | undefined, walk: Walk): void {
  if (!isJsonObject(node)) {
    report(walk, frame, undefined, 'schema-not-object', `a schema must be a mapping of keywords, not ${describe(node)}`);
    return;
  }
  // one pass over the node's keys: the typed keywords are checked, the structural ones kept
  let type: JsonValue | undefined;
  let preserve: JsonValue | undefined;
  let intOrString = false;
  let uniqueItems: JsonValue | undefined;
  let properties: JsonValue | undefined;
  let additional: JsonValue | undefined;
  let items: JsonValue | undefined;
  let allOf: JsonValue | undefined;
  let anyOf: JsonValue | undefined;
  let oneOf: JsonValue | undefined;
  let not: JsonValue | undefined;
  for (const key in node) {
    const code = KEYWORD_CODES.get(key);
    if (code === undefined) continue;
    const value = node[key] as JsonValue;
    const kind = code & KIND_MASK;
    if (kind === FORBIDDEN_KEYWORD) report(walk, frame, key, 'forbidden-keyword', `${key} is not allowed in a CRD schema: ${FORBIDDEN[key] as string}`);
    else if (kind !== NO_KIND && !holdsKind(kind, value)) report(walk, frame, key, 'keyword-type', `${key} must be ${KIND_WORDING[kind] as string}, not ${describe(value)}`);
    switch (code >> SLOT_SHIFT) {
      case TYPE:
        type = value;
        break;
      case PRESERVE:
        preserve = value;
        break;
      case INT_OR_STRING:
        intOrString = value === true;
        break;
      case UNIQUE_ITEMS:
        uniqueItems = value;
        break;
      case PROPERTIES:
        properties = value;
        break;
      case ADDITIONAL_PROPERTIES:
        additional = value;
        break;
      case ITEMS:
        items = value;
        break;
      case ALL_OF:
        allOf = value;
        break;
      case ANY_OF:
        anyOf = value;
        break;
      case ONE_OF:
        oneOf = value;
        break;
      case NOT:
        not = value;
        break;
      default:
        break;
    }
  }
  if (type !== undefined) {
    if (typeof type !== 'string') report(walk, frame, 'type', 'type-not-string', `type must be one of ${TYPES.join(', ')}, not ${describe(type)}`);
    else if (type !== '' && !TYPES.includes(type)) report(walk, frame, 'type', 'unknown-type', `unknown type ${JSON.stringify(type)}; use one of ${TYPES.join(', ')}`);
  }
  if (context === JUNCTOR) {
    for (const key of NOT_IN_JUNCTORS) {
      if (node[key] === undefined || (key === 'type' && inherited)) continue;
      report(walk, frame, key, 'junctor-keyword', `${key} is not allowed inside allOf/anyOf/oneOf/not of a structural schema; move it to the schema itself`);
    }
  } else {
    if ((type === undefined || type === '') && preserve !== true && !intOrString) {
      report(walk, frame, undefined, 'type-required', context === ROOT ? 'the root schema needs type: object' : 'every field needs a type (or x-kubernetes-preserve-unknown-fields: true for free-form data, x-kubernetes-int-or-string: true for int-or-string)');
    } else if (context === ROOT && type !== 'object') {
      report(walk, frame, 'type', 'root-type-object', `the root schema must be type: object, not ${JSON.stringify(type)}`);
    }
    if (type === 'array' && items === undefined) report(walk, frame, undefined, 'items-required', 'an array needs an items schema');
  }
  if (preserve === false) {
    report(walk, frame, 'x-kubernetes-preserve-unknown-fields', 'preserve-unknown-fields-false', 'x-kubernetes-preserve-unknown-fields must be true or absent');
  }
  if (uniqueItems === true) report(walk, frame, 'uniqueItems', 'unique-items', 'uniqueItems: true is not allowed (its check is quadratic); use x-kubernetes-list-type: set');
  const nested: Context = context === JUNCTOR ? JUNCTOR : FIELD;
  if (properties !== undefined) {
    if (!isJsonObject(properties)) {
      report(walk, frame, 'properties', 'properties-not-object', `properties must be a mapping from field name to schema, not ${describe(properties)}`);
    } else {
      if (additional !== undefined && additional !== false) {
        report(walk, frame, 'additionalProperties', 'properties-and-additionalProperties', 'properties and additionalProperties cannot both be set; keep one');
      }
      if (context === ROOT) checkRootMetadata(properties['metadata'], walk, frame);
      for (const name in properties) addChild(walk, frame, properties[name] as JsonValue, 'properties', name, nested, false);
    }
  }
  if (additional !== undefined && typeof additional !== 'boolean') {
    if (isJsonObject(additional)) addChild(walk, frame, additional, 'additionalProperties', undefined, nested, false);
    else report(walk, frame, 'additionalProperties', 'additionalProperties-not-schema', `additionalProperties must be a schema or a boolean, not ${describe(additional)}`);
  }
  if (items !== undefined) {
    if (isJsonObject(items)) addChild(walk, frame, items, 'items', undefined, nested, false);
    else report(walk, frame, 'items', 'items-not-schema', `items must be one schema (a mapping), not ${describe(items)}`);
  }
  const inIntOrString = intOrString || inherited;
  if (allOf !== undefined) checkJunctor(walk, frame, 'allOf', allOf, inIntOrString);
  if (anyOf !== undefined) checkJunctor(walk, frame, 'anyOf', anyOf, inIntOrString);
  if (oneOf !== undefined) checkJunctor(walk, frame, 'oneOf', oneOf, inIntOrString);
  if (not !== undefined) addChild(walk, frame, not, 'not', undefined, JUNCTOR, false);
}

function checkJunctor(walk: Walk, frame: Frame | undefined, junctor: string, list: JsonValue, intOrString: boolean): void {
  if (!Array.isArray(list)) {
    report(walk, frame, junctor, 'keyword-type', `${junctor} must be a list of schemas, not ${describe(list)}`);
    return;
  }
  for (let i = 0; i < list.length; i += 1) addChild(walk, frame, list[i] as JsonValue, junctor, i, JUNCTOR, intOrString);
}

/** What a keyword must hold: one of these kinds, or `FORBIDDEN_KEYWORD`. */
const STRING = 0;
const BOOLEAN = 1;
const NUMBER = 2;
const INTEGER = 3;
const STRING_LIST = 4;
const LIST = 5;
const FORBIDDEN_KEYWORD = 6;
const KIND_WORDING = ['a string', 'true or false', 'a number', 'a non-negative integer', 'a list of strings', 'a list'];

/** A keyword's code: its structural slot (or 0) shifted by `SLOT_SHIFT`, and its kind (or `NO_KIND`). */
const KIND_MASK = 7;
const SLOT_SHIFT = 3;
const NO_KIND = 7;
const TYPE = 1;
const PRESERVE = 2;
const INT_OR_STRING = 3;
const UNIQUE_ITEMS = 4;
const PROPERTIES = 5;
const ADDITIONAL_PROPERTIES = 6;
const ITEMS = 7;
const ALL_OF = 8;
const ANY_OF = 9;
const ONE_OF = 10;
const NOT = 11;
const SLOTS: ReadonlyArray<[string, number]> = [
  ['type', TYPE],
  ['x-kubernetes-preserve-unknown-fields', PRESERVE],
  ['x-kubernetes-int-or-string', INT_OR_STRING],
  ['uniqueItems', UNIQUE_ITEMS],
  ['properties', PROPERTIES],
  ['additionalProperties', ADDITIONAL_PROPERTIES],
  ['items', ITEMS],
  ['allOf', ALL_OF],
  ['anyOf', ANY_OF],
  ['oneOf', ONE_OF],
  ['not', NOT],
];

/** Every keyword with a rule or a structural role, to its code: one lookup per key of a node. */
const KEYWORD_CODES: ReadonlyMap<string, number> = ((): Map<string, number> => {
  const kinds = new Map<string, number>([
    ...STRING_KEYWORDS.map((key) => [key, STRING] as [string, number]),
    ...BOOLEAN_KEYWORDS.map((key) => [key, BOOLEAN] as [string, number]),
    ...NUMBER_KEYWORDS.map((key) => [key, NUMBER] as [string, number]),
    ...INTEGER_KEYWORDS.map((key) => [key, INTEGER] as [string, number]),
    ...STRING_LIST_KEYWORDS.map((key) => [key, STRING_LIST] as [string, number]),
    ...LIST_KEYWORDS.map((key) => [key, LIST] as [string, number]),
    ...Object.keys(FORBIDDEN).map((key) => [key, FORBIDDEN_KEYWORD] as [string, number]),
  ]);
  const codes = new Map<string, number>();
  for (const [key, kind] of kinds) codes.set(key, kind);
  for (const [key, slot] of SLOTS) codes.set(key, (slot << SLOT_SHIFT) | (kinds.get(key) ?? NO_KIND));
  return codes;
})();

function holdsKind(kind: number, value: JsonValue): boolean {
  switch (kind) {
    case STRING:
      return typeof value === 'string';
    case BOOLEAN:
      return typeof value === 'boolean';
    case NUMBER:
      return typeof value === 'number';
    case INTEGER:
      return typeof value === 'number' && Number.isInteger(value) && value >= 0;
    case STRING_LIST:
      return Array.isArray(value) && value.every((item) => typeof item === 'string');
    default:
      return Array.isArray(value);
  }
}

/** Root `metadata` may only be `type: object`, restricting `name` and `generateName`. */
function checkRootMetadata(metadata: JsonValue | undefined, walk: Walk, frame: Frame | undefined): void {
  if (!isJsonObject(metadata)) return;
  const properties = metadata['properties'];
  if (!isJsonObject(properties)) return;
  for (const name of Object.keys(properties)) {
    if (name === 'name' || name === 'generateName') continue;
    if (!walk.full || frame === undefined) {
      walk.found = true;
      return;
    }
    walk.problems.push({ path: childPath(childPath(childPath(childPath(pathText(frame), 'properties'), 'metadata'), 'properties'), name), rule: 'root-metadata', message: 'the root metadata schema may only restrict name and generateName; remove this field (metadata is always an ObjectMeta)' });
  }
}

function describe(value: JsonValue): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return `${typeof value} ${JSON.stringify(value)}`;
}
