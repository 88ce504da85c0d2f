/**
 * Turns the OpenAPI v3 schema of one kind (one version) into TypeScript declarations: a root
 * interface, `<Kind>Spec`, `<Kind>Status` and named nested types. What the TypeScript type cannot
 * say goes into TSDoc markers (see shared/markers.ts), so `generate crd` rebuilds the same schema.
 *
 * Where a node's description and markers go:
 * - a property's node: on the property;
 * - a list item / map value node: on a named declaration (interface or alias) used as the item type;
 *   item nodes with neither description nor markers stay inline.
 * Interfaces used by properties carry no TSDoc of their own, so identical shapes share one
 * interface whatever the descriptions of the properties that use them.
 * @module
 */
import { CodegenError } from '../errors.js';
import { CanonicalTexts } from '../shared/canonical-texts.js';
import { isJsonObject, jsonEqual, type JsonObject, type JsonValue } from '../shared/json.js';
import { schemaInfoToTags, SPECIAL_SCHEMA_TAGS } from '../shared/markers.js';
import { pascalCase, quoteString, type NameAllocator } from '../shared/names.js';
import { emptyDoc, isEmptyDoc, isPlainDescription, type DocComment, type DocTag } from '../shared/tsdoc.js';
import type { AliasDeclaration, Declaration, InterfaceDeclaration, Member } from './declarations.js';
import { NodeIds } from './node-ids.js';

const PRESERVE = 'x-kubernetes-preserve-unknown-fields';
/**
 * Whether `text` holds a deferred name from `at` to `end` (both U+0001): U+0001, a number, U+0001
 * (never in generated text otherwise: string literals escape control characters).
 */
function isPlaceholder(text: string, at: number, end: number): boolean {
  if (end === at + 1) return false;
  for (let i = at + 1; i < end; i += 1) {
    const ch = text.charCodeAt(i);
    if (ch < 48 || ch > 57) return false;
  }
  return true;
}
const EMBEDDED = 'x-kubernetes-embedded-resource';
const INT_OR_STRING = 'x-kubernetes-int-or-string';

/** The `anyOf` that `number | string` stands for (what controller-gen writes for IntOrString). */
export const INT_OR_STRING_ANY_OF: readonly JsonObject[] = Object.freeze([Object.freeze({ type: 'integer' }), Object.freeze({ type: 'string' })]);

/** Whether a format makes a TypeScript `number` an OpenAPI `integer`. */
export function isIntegerFormat(format: JsonValue | undefined): boolean {
  return format === 'int32' || format === 'int64';
}

/** The local names of the imported types a generated file uses. */
export interface ImportNames {
  readonly resource: string;
  readonly kubeObject: string;
  readonly objectMeta: string;
}

/** Everything one generated file accumulates: declarations in order, names in use, imports used. */
export class FileDeclarations {
  readonly declarations: Declaration[] = [];
  /** Whether `KubeObject` is referenced (embedded resources). */
  usesKubeObject = false;

  constructor(
    readonly allocator: NameAllocator,
    readonly imports: ImportNames,
    /** The canonical JSON of the file's CRDs: shapes are told apart by it, and the source hash is taken of it. */
    readonly canonical: CanonicalTexts = new CanonicalTexts(),
  ) {}
}

/** 0: primary (`A`, `A[]`), 1: intersection, 2: union. */
type Precedence = 0 | 1 | 2;

// How a planned node is written (see KindTypeBuilder.#render)
/** `text` as it is. */
const FIXED = 0;
/** `<item>[]`, the item being `target` (the node's `items`). */
const ARRAY = 1;
/** The interface of the properties of `target` (the node itself). */
const OBJECT = 2;
/** `Record<string, <value>>`, the value being `target` (the node's `additionalProperties`). */
const RECORD = 3;

/** What a node becomes, worked out in one look at it; declarations are only created when it is rendered. */
interface Plan {
  /** The node's description and markers. */
  readonly doc: DocComment;
  /** Renders as exactly one interface name (so an item's TSDoc can go on that interface). */
  readonly bare: boolean;
  readonly form: typeof FIXED | typeof ARRAY | typeof OBJECT | typeof RECORD;
  /** FIXED: the type text and its precedence. */
  readonly text: string;
  readonly precedence: Precedence;
  readonly target: JsonObject;
  /** `KubeObject & …` (an embedded resource). */
  readonly embedded: boolean;
  /** `… | null`. */
  readonly nullable: boolean;
  /** The name a declaration for this node would get: `hint`, followed by `pascalCase(hintProperty)` when there is one. */
  readonly hint: string;
  readonly hintProperty: string | undefined;
  /** The node is a list item or map value (not a property). */
  readonly item: boolean;
}

function hintOf(plan: Plan): string {
  return plan.hintProperty === undefined ? plan.hint : plan.hint + pascalCase(plan.hintProperty);
}

// The keys a plan consumes (what the TypeScript type says), as bits
const CONSUMED_KEYS: readonly string[] = ['description', 'type', INT_OR_STRING, 'anyOf', 'enum', 'items', 'properties', 'required', PRESERVE, 'additionalProperties', 'nullable', EMBEDDED];
const C_DESCRIPTION = 1 << 0;
const C_TYPE = 1 << 1;
const C_INT_OR_STRING = 1 << 2;
const C_ANY_OF = 1 << 3;
const C_ENUM = 1 << 4;
const C_ITEMS = 1 << 5;
const C_PROPERTIES = 1 << 6;
const C_REQUIRED = 1 << 7;
const C_PRESERVE = 1 << 8;
const C_ADDITIONAL = 1 << 9;
const C_NULLABLE = 1 << 10;
const C_EMBEDDED = 1 << 11;

const KNOWN_TYPES: ReadonlySet<string> = new Set(['string', 'integer', 'number', 'boolean', 'array', 'object']);

/**
 * Whether a property's schema has a `default`: the API server fills it in on every write and
 * read, so the property is never missing from an object read back (non-optional in the read
 * view), yet may be left out when writing (optional in the `…Input` view). Because non-optional
 * then no longer means required, a property that is both required and defaulted is also listed in
 * its object's `@required` marker (docs/markers.md).
 */
export function hasDefault(node: JsonValue | undefined): boolean {
  return isJsonObject(node) && node['default'] !== undefined;
}

/** Why a node cannot be written as a TypeScript type (then it is kept whole in `@schema`). */
export function unsupportedReason(node: JsonObject): string | undefined {
  const type = node['type'];
  if (type !== undefined && typeof type !== 'string') return 'type is not a string';
  if (node['description'] !== undefined && typeof node['description'] !== 'string') return 'description is not a string';
  const props = node['properties'];
  if (props !== undefined) {
    if (type !== 'object') return 'properties without type: object';
    if (!isJsonObject(props)) return 'properties is empty or not an object';
    let empty = true;
    for (const key in props) {
      empty = false;
      if (!isJsonObject(props[key])) return 'a property schema is not an object';
    }
    if (empty) return 'properties is empty or not an object';
    if (node['additionalProperties'] !== undefined) return 'both properties and additionalProperties';
    const required = node['required'];
    if (required !== undefined && !isNameList(required)) return 'required is not a list of names';
  }
  const additional = node['additionalProperties'];
  if (additional !== undefined && (type !== 'object' || !isJsonObject(additional))) return 'additionalProperties is not a schema on an object';
  const items = node['items'];
  if (type === 'array' && !isJsonObject(items)) return 'array without an items schema';
  if (items !== undefined && type !== 'array') return 'items on a non-array';
  if (type === undefined && node[PRESERVE] !== true && node[INT_OR_STRING] !== true) return 'no type';
  if (type !== undefined && !KNOWN_TYPES.has(type)) return `unknown type ${type}`;
  return undefined;
}

function isNameList(value: JsonValue): boolean {
  if (!Array.isArray(value)) return false;
  for (let i = 0; i < value.length; i += 1) if (typeof value[i] !== 'string') return false;
  return true;
}

function literalEnum(values: JsonValue | undefined): values is (string | number | boolean)[] {
  if (!Array.isArray(values) || values.length === 0) return false;
  const kind = typeof values[0];
  if (kind !== 'string' && kind !== 'number' && kind !== 'boolean') return false;
  return values.every((v) => typeof v === kind && (typeof v !== 'number' || Number.isFinite(v)));
}

function literalText(value: string | number | boolean): string {
  if (typeof value === 'string') return quoteString(value);
  if (typeof value === 'number') return Object.is(value, -0) ? '0' : String(value);
  return String(value);
}

function withoutKeys(node: JsonObject, keys: ReadonlySet<string>): JsonObject {
  const rest: JsonObject = {};
  for (const key in node) if (!keys.has(key)) rest[key] = node[key] as JsonValue;
  return rest;
}

/** What the type of a root's apiVersion/kind carries. */
const LITERAL_KEYS: ReadonlySet<string> = new Set(['description', 'type']);

const EMPTY_DOC_KEY = JSON.stringify([null, []]);

function docKey(doc: DocComment): string {
  if (isEmptyDoc(doc)) return EMPTY_DOC_KEY;
  return JSON.stringify([doc.description ?? null, doc.tags.map((t) => [t.name, t.value])]);
}

/** The description part of a node's doc: plain text, or a `@description` tag when text cannot carry it. */
function describe(node: JsonObject, tags: DocTag[]): string | undefined {
  const description = node['description'];
  if (typeof description !== 'string') return undefined;
  if (isPlainDescription(description)) return description;
  tags.unshift({ name: SPECIAL_SCHEMA_TAGS.description, value: JSON.stringify(description) });
  return undefined;
}

/** A doc holding the whole node in `@schema` (for nodes no TypeScript type can express). */
function schemaDoc(node: JsonObject): DocComment {
  const tags: DocTag[] = [];
  const description = describe(node, tags);
  tags.push({ name: SPECIAL_SCHEMA_TAGS.schema, value: JSON.stringify(withoutKeys(node, new Set(['description']))) });
  return { description, tags };
}

/**
 * The `…Input` view of a kind's declarations: for every interface with a defaulted property, and
 * every declaration that refers to one, a copy in which defaulted properties are optional (what a
 * client may leave out when it writes) and references point to the other `…Input` copies. The
 * declarations themselves are the view as read. Copies carry the members' docs (descriptions and
 * markers, for editors) but are never roots, so `generate crd` does not read them.
 */
export function inputViews(declarations: readonly Declaration[], allocator: NameAllocator): Declaration[] {
  const byName = new Map<string, InterfaceDeclaration | AliasDeclaration>();
  for (const d of declarations) if (d.kind === 'interface' || d.kind === 'alias') byName.set(d.name, d);
  const needs = new Set<string>();
  for (const d of byName.values()) if (d.kind === 'interface' && d.members.some((m) => m.defaulted === true)) needs.add(d.name);
  if (needs.size === 0) return [];
  // every declaration that refers (transitively) to one that needs a copy needs one too: the
  // references are read once, then followed backwards from the declarations with defaults
  const referrers = new Map<string, string[]>();
  for (const d of byName.values()) {
    if (d.kind === 'interface') for (const m of d.members) addReferrer(referrers, m.type, d.name);
    else addReferrer(referrers, d.type, d.name);
  }
  const pending = [...needs];
  for (let name = pending.pop(); name !== undefined; name = pending.pop()) {
    for (const referrer of referrers.get(name) ?? []) {
      if (needs.has(referrer)) continue;
      needs.add(referrer);
      pending.push(referrer);
    }
  }
  const inputNames = new Map<string, string>();
  for (const d of byName.values()) if (needs.has(d.name)) inputNames.set(d.name, allocator.allocate(`${d.name}Input`));
  const views: Declaration[] = [];
  for (const d of byName.values()) {
    const name = inputNames.get(d.name);
    if (name === undefined) continue;
    const doc: DocComment = { description: `{@link ${d.name}} as written (create, update, apply): properties the API server defaults are optional. {@link ${d.name}} is the object as read.`, tags: [] };
    if (d.kind === 'interface') {
      const members = d.members.map((m) => ({ ...m, optional: m.optional || m.defaulted === true, type: renameTypes(m.type, inputNames) }));
      const changed = members.filter((m, i) => m.optional !== d.members[i]?.optional || m.type !== d.members[i]?.type);
      // Omit keeps the other members (and their docs) unless an index signature would swallow them
      if (d.indexSignature || changed.length === members.length) views.push({ ...d, name, doc, members });
      else views.push({ kind: 'override', name, doc, base: d.name, members: changed });
    } else {
      views.push({ ...d, name, doc, type: renameTypes(d.type, inputNames) });
    }
  }
  return views;
}

/** A-Z, a-z, `_` or `$`. */
function isIdentifierStart(code: number): boolean {
  return (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || code === 95 || code === 36;
}

/** Records that the declaration `referrer` mentions every type name in `text`. */
function addReferrer(referrers: Map<string, string[]>, text: string, referrer: string): void {
  for (let i = 0; i < text.length; ) {
    const end = typeNameEnd(text, i);
    if (end > i) {
      const name = text.slice(i, end);
      const list = referrers.get(name);
      if (list === undefined) referrers.set(name, [referrer]);
      else list.push(referrer);
      i = end;
    } else {
      i = skipNonName(text, i);
    }
  }
}

/** Where the identifier at `i` ends (`i` when there is none there). */
function typeNameEnd(text: string, i: number): number {
  if (!isIdentifierStart(text.charCodeAt(i))) return i;
  let j = i + 1;
  while (j < text.length && (isIdentifierStart(text.charCodeAt(j)) || (text.charCodeAt(j) >= 48 && text.charCodeAt(j) <= 57))) j += 1;
  return j;
}

/** Past the character at `i`, or past the whole `'…'` string literal starting there. */
function skipNonName(text: string, i: number): number {
  if (text.charCodeAt(i) !== 39) return i + 1;
  let j = i + 1;
  while (j < text.length && text.charCodeAt(j) !== 39) j += text.charCodeAt(j) === 92 ? 2 : 1;
  return j + 1;
}

/** Replaces type names (identifiers outside `'…'` string literals) by their entry in `names`. */
function renameTypes(text: string, names: ReadonlyMap<string, string>): string {
  let out = '';
  let copied = 0;
  for (let i = 0; i < text.length; ) {
    const end = typeNameEnd(text, i);
    if (end > i) {
      const renamed = names.get(text.slice(i, end));
      if (renamed !== undefined) {
        out += text.slice(copied, i) + renamed;
        copied = end;
      }
      i = end;
    } else {
      i = skipNonName(text, i);
    }
  }
  return copied === 0 ? text : out + text.slice(copied);
}

/**
 * Builds the declarations of one kind into a file. Identical shapes within the kind share one
 * declaration; names are derived from the path (`CertificateSpecPrivateKey`) and made unique by the
 * file's allocator in the order the schema is walked (properties in schema order, depth first).
 */
export class KindTypeBuilder {
  readonly #file: FileDeclarations;
  readonly #ids: NodeIds;
  readonly #shared = new Map<string, string>();
  /** Names decided at the end of the kind: placeholder → every path hint it was reached by. */
  readonly #deferred = new Map<string, string[]>();
  /** The precedence of the type text {@link KindTypeBuilder.#render} or {@link KindTypeBuilder.#item} returned last. */
  #precedence: Precedence = 0;
  /** The keys of a consumed-bits value, as given to `schemaInfoToTags` (a few distinct values per kind). */
  readonly #consumedSets = new Map<number, ReadonlySet<string>>();

  constructor(file: FileDeclarations) {
    this.#file = file;
    this.#ids = new NodeIds(file.canonical);
  }

  /**
   * A placeholder for the name of a shape that may be reached by several paths; the name is chosen
   * when the whole kind is walked (see {@link KindTypeBuilder.#resolveNames}).
   */
  #defer(hint: string): string {
    const placeholder = `\u0001${this.#deferred.size}\u0001`;
    this.#deferred.set(placeholder, [hint]);
    return placeholder;
  }

  /** Records one more path by which a shape is reached (no-op for names given immediately). */
  #reached(name: string, hint: string): void {
    this.#deferred.get(name)?.push(hint);
  }

  /**
   * Names every deferred shape after the shortest of the paths that reach it (ties: alphabetical),
   * so a shared shape is not named after whichever use comes first, and a new, longer use
   * elsewhere leaves the name as it is. Names are allocated in the order the shapes were first
   * reached (containing shapes first); declarations from `start` on are rewritten with the names.
   */
  #resolveNames(start: number): void {
    if (this.#deferred.size === 0) return;
    const names = new Map<string, string>();
    // every placeholder in `text` replaced by its name (an indexOf scan: a shared shape can have
    // thousands of hints, each naming the placeholder of the shape it is in)
    const substitute = (text: string): string => {
      let at = text.indexOf('\u0001');
      if (at === -1) return text;
      let out = '';
      let from = 0;
      while (at !== -1) {
        const end = text.indexOf('\u0001', at + 1);
        if (end === -1) break;
        if (!isPlaceholder(text, at, end)) {
          at = end;
          continue;
        }
        out += text.slice(from, at) + resolve(text.slice(at, end + 1));
        from = end + 1;
        at = text.indexOf('\u0001', from);
      }
      return from === 0 ? text : out + text.slice(from);
    };
    // a shape's hints mention the placeholders of the shapes that contain it, which are named first
    // (the schema is a tree, so this never cycles); otherwise shapes are named in creation order
    const resolve = (placeholder: string): string => {
      const known = names.get(placeholder);
      if (known !== undefined) return known;
      const hints = this.#deferred.get(placeholder) ?? [placeholder];
      let best = substitute(hints[0] as string);
      for (let i = 1; i < hints.length; i += 1) {
        const other = substitute(hints[i] as string);
        if (other.length < best.length || (other.length === best.length && other < best)) best = other;
      }
      const name = this.#file.allocator.allocate(best);
      names.set(placeholder, name);
      return name;
    };
    for (const placeholder of this.#deferred.keys()) resolve(placeholder);
    const declarations = this.#file.declarations;
    for (let i = start; i < declarations.length; i += 1) {
      const declaration = declarations[i] as Declaration;
      // copies only what changes (most members name no deferred shape)
      if (declaration.kind === 'interface') {
        const name = substitute(declaration.name);
        let members = declaration.members;
        for (let j = 0; j < members.length; j += 1) {
          const member = members[j] as Member;
          const type = substitute(member.type);
          if (type === member.type) continue;
          if (members === declaration.members) members = members.slice();
          members[j] = { ...member, type };
        }
        if (name !== declaration.name || members !== declaration.members) declarations[i] = { ...declaration, name, members };
      } else if (declaration.kind === 'alias') {
        const name = substitute(declaration.name);
        const type = substitute(declaration.type);
        if (name !== declaration.name || type !== declaration.type) declarations[i] = { ...declaration, name, type };
      }
    }
    this.#deferred.clear();
  }

  /**
   * Declares the root interface `kind` for a version's `openAPIV3Schema`, with `rootTags` (the CRD
   * markers) on it, followed by its nested declarations. Returns the root declaration.
   */
  buildRoot(options: { kind: string; apiVersion: string; schema: JsonObject; rootTags: readonly DocTag[] }): InterfaceDeclaration {
    const { kind, apiVersion, schema } = options;
    const tags: DocTag[] = [];
    const members: Member[] = [];
    const root: InterfaceDeclaration = { kind: 'interface', name: kind, doc: emptyDoc, members, indexSignature: false };
    this.#file.declarations.push(root);
    const fallback = unsupportedReason(schema) !== undefined || schema['type'] !== 'object' || !isJsonObject(schema['properties']);
    const props = fallback ? {} : (schema['properties'] as JsonObject);
    const required = new Set(Array.isArray(schema['required']) ? schema['required'] : []);
    for (const name of ['apiVersion', 'kind', 'metadata']) {
      if (props[name] !== undefined) continue;
      const type = name === 'metadata' ? this.#file.imports.objectMeta : quoteString(name === 'kind' ? kind : apiVersion);
      members.push({ name, optional: true, type, doc: { description: undefined, tags: [{ name: SPECIAL_SCHEMA_TAGS.notInSchema, value: '' }] } });
    }
    for (const [name, child] of Object.entries(props)) {
      if (!isJsonObject(child)) continue;
      const optional = !required.has(name) && !hasDefault(child);
      const at = members.length;
      if (name === 'apiVersion' || name === 'kind') {
        members.push({ name, optional, type: quoteString(name === 'kind' ? kind : apiVersion), doc: this.#literalDoc(child) });
      } else if (name === 'metadata') {
        members.push({ name, optional, type: this.#file.imports.objectMeta, doc: this.#metadataDoc(child) });
      } else if (name === 'spec' || name === 'status') {
        members.push(this.#namedMember(child, name, optional, `${kind}${pascalCase(name)}`));
      } else {
        const plan = this.#plan(child, kind, name, false);
        members.push({ name, optional, type: this.#render(plan, emptyDoc), doc: plan.doc });
      }
      if (hasDefault(child)) members[at] = { ...(members[at] as Member), defaulted: true };
    }
    let description: string | undefined;
    if (fallback) {
      const doc = schemaDoc(schema);
      description = doc.description;
      tags.push(...doc.tags);
    } else {
      description = describe(schema, tags);
      const consumed = new Set(['description', 'type', 'properties']);
      if (!(Array.isArray(schema['required']) && schema['required'].length === 0)) consumed.add('required');
      if (schema[PRESERVE] === true) consumed.add(PRESERVE);
      const extraRequired = [...required].filter((r) => typeof r !== 'string' || props[r] === undefined || hasDefault(props[r]));
      if (extraRequired.length > 0) tags.push({ name: SPECIAL_SCHEMA_TAGS.required, value: JSON.stringify(extraRequired) });
      tags.push(...schemaInfoToTags(schema, consumed));
    }
    const doc: DocComment = { description, tags: [...options.rootTags, ...tags] };
    const built: InterfaceDeclaration = { ...root, doc, indexSignature: !fallback && schema[PRESERVE] === true };
    const index = this.#file.declarations.indexOf(root);
    this.#file.declarations[index] = built;
    this.#resolveNames(index);
    this.#file.declarations.push(...inputViews(this.#file.declarations.slice(index), this.#file.allocator));
    return this.#file.declarations[index] as InterfaceDeclaration;
  }

  /** apiVersion/kind on a root: a literal type; the schema is `type: string` plus markers. */
  #literalDoc(node: JsonObject): DocComment {
    if (unsupportedReason(node) !== undefined) return schemaDoc(node);
    const tags: DocTag[] = [];
    const description = describe(node, tags);
    if (node['type'] !== 'string') tags.push({ name: SPECIAL_SCHEMA_TAGS.type, value: typeof node['type'] === 'string' ? node['type'] : 'none' });
    tags.push(...schemaInfoToTags(node, LITERAL_KEYS));
    return { description, tags };
  }

  /** metadata on a root: `V1ObjectMeta`; anything but `type: object` is kept in `@schema`. */
  #metadataDoc(node: JsonObject): DocComment {
    if (!jsonEqual(withoutKeys(node, new Set(['description'])), { type: 'object' })) return schemaDoc(node);
    const tags: DocTag[] = [];
    return { description: describe(node, tags), tags };
  }

  /** spec/status: always a declaration of their own (`<Kind>Spec`), interface or alias. */
  #namedMember(node: JsonObject, name: string, optional: boolean, hint: string): Member {
    const plan = this.#plan(node, hint, undefined, false);
    let type: string;
    if (plan.bare) {
      type = this.#interface(node, hint, emptyDoc, true);
    } else {
      const alias: AliasDeclaration = { kind: 'alias', name: this.#file.allocator.allocate(hint), doc: emptyDoc, type: 'unknown' };
      this.#file.declarations.push(alias);
      alias.type = this.#render(plan, emptyDoc);
      type = alias.name;
    }
    return { name, optional, type, doc: plan.doc };
  }

  /**
   * A list item or map value: inline when it has no doc, otherwise a named declaration carrying the
   * doc. Returns the type text ({@link KindTypeBuilder.#precedence} says its precedence).
   */
  #item(node: JsonValue, hint: string): string {
    if (!isJsonObject(node)) throw new CodegenError({ reason: 'UnsupportedSchema', message: `${hint}: item schema is not an object` });
    const plan = this.#plan(node, hint, undefined, true);
    if (isEmptyDoc(plan.doc)) return this.#render(plan, emptyDoc);
    if (plan.bare) return this.#render(plan, plan.doc);
    const key = `alias:${this.#ids.id(node)}`;
    const known = this.#shared.get(key);
    if (known !== undefined) {
      this.#reached(known, hint);
      this.#precedence = 0;
      return known;
    }
    const alias: AliasDeclaration = { kind: 'alias', name: this.#defer(hint), doc: plan.doc, type: 'unknown' };
    this.#shared.set(key, alias.name);
    this.#file.declarations.push(alias);
    alias.type = this.#render(plan, emptyDoc);
    this.#precedence = 0;
    return alias.name;
  }

  /** The interface for an object node with properties (shared by structure and interface doc). */
  #interface(node: JsonObject, hint: string, doc: DocComment, fresh = false): string {
    const props = node['properties'] as JsonObject;
    const listed = node['required'];
    const required = new Set<string>();
    if (Array.isArray(listed)) for (const r of listed) if (typeof r === 'string' && props[r] !== undefined) required.add(r);
    const preserve = node[PRESERVE] === true;
    const key = `interface:${this.#ids.id(props)}|${required.size === 0 ? '' : [...required].sort().join(',')}|${String(preserve)}|${docKey(doc)}`;
    const known = this.#shared.get(key);
    if (known !== undefined && !fresh) {
      this.#reached(known, hint);
      return known;
    }
    const members: Member[] = [];
    const name = fresh ? this.#file.allocator.allocate(hint) : this.#defer(hint);
    if (known === undefined) this.#shared.set(key, name);
    this.#file.declarations.push({ kind: 'interface', name, doc, members, indexSignature: preserve });
    const keys = Object.keys(props);
    for (let i = 0; i < keys.length; i += 1) {
      const prop = keys[i] as string;
      const child = props[prop];
      if (!isJsonObject(child)) continue;
      // a deferred parent's placeholder is part of the hint: nested names follow the parent's final name
      const plan = this.#plan(child, name, prop, false);
      const type = this.#render(plan, emptyDoc);
      members.push(hasDefault(child) ? { name: prop, optional: false, type, doc: plan.doc, defaulted: true } : { name: prop, optional: !required.has(prop), type, doc: plan.doc });
    }
    return name;
  }

  /**
   * Works out a node's type and doc in one look at it (declarations are only created when the plan
   * is rendered). The node's declaration name would be `hint` + `pascalCase(hintProperty)`.
   */
  #plan(node: JsonObject, hint: string, hintProperty: string | undefined, item: boolean): Plan {
    if (unsupportedReason(node) !== undefined) {
      return { doc: schemaDoc(node), bare: false, form: FIXED, text: 'unknown', precedence: 0, target: node, embedded: false, nullable: false, hint, hintProperty, item };
    }
    let consumed = C_DESCRIPTION | C_TYPE;
    let tags: DocTag[] | undefined;
    const type = node['type'] as string | undefined;
    let inferred: string | undefined;
    let bare = false;
    let form: Plan['form'] = FIXED;
    let text = '';
    let precedence: Precedence = 0;
    let target = node;
    let embedded = false;
    const enumValues = node['enum'];
    if (node[INT_OR_STRING] === true) {
      consumed |= C_INT_OR_STRING;
      if (jsonEqual(node['anyOf'] ?? null, [...INT_OR_STRING_ANY_OF])) consumed |= C_ANY_OF;
      else if (node['anyOf'] === undefined) (tags ??= []).push({ name: SPECIAL_SCHEMA_TAGS.unset, value: 'anyOf' });
      text = 'number | string';
      precedence = 2;
    } else if (literalEnum(enumValues) && type !== 'array' && type !== 'object') {
      consumed |= C_ENUM;
      const first = enumValues[0];
      inferred = typeof first === 'string' ? 'string' : typeof first === 'boolean' ? 'boolean' : isIntegerFormat(node['format']) ? 'integer' : 'number';
      text = enumValues.map(literalText).join(' | ');
      precedence = enumValues.length > 1 ? 2 : 0;
    } else {
      switch (type) {
        case 'string':
        case 'boolean':
          inferred = type;
          text = type;
          break;
        case 'integer':
        case 'number':
          inferred = isIntegerFormat(node['format']) ? 'integer' : 'number';
          text = 'number';
          break;
        case 'array':
          inferred = 'array';
          consumed |= C_ITEMS;
          form = ARRAY;
          target = node['items'] as JsonObject;
          break;
        case 'object': {
          inferred = 'object';
          const preserve = node[PRESERVE] === true;
          embedded = node[EMBEDDED] === true;
          const props = node['properties'];
          const additional = node['additionalProperties'];
          if (isJsonObject(props)) {
            consumed |= C_PROPERTIES;
            const required = node['required'];
            // an empty `required: []` stays as a marker (a member list cannot say it)
            if (!(Array.isArray(required) && required.length === 0)) consumed |= C_REQUIRED;
            if (preserve) consumed |= C_PRESERVE;
            if (Array.isArray(required)) {
              const extra = required.filter((r) => typeof r !== 'string' || props[r] === undefined || hasDefault(props[r]));
              if (extra.length > 0) (tags ??= []).push({ name: SPECIAL_SCHEMA_TAGS.required, value: JSON.stringify(extra) });
            }
            bare = !embedded;
            form = OBJECT;
          } else if (isJsonObject(additional)) {
            consumed |= C_ADDITIONAL;
            form = RECORD;
            target = additional;
          } else if (preserve) {
            consumed |= C_PRESERVE;
            text = '{ [key: string]: unknown }';
          } else {
            text = 'Record<string, never>';
          }
          if (embedded) consumed |= C_EMBEDDED;
          break;
        }
        default:
          // no type: x-kubernetes-preserve-unknown-fields (checked by unsupportedReason)
          consumed |= C_PRESERVE;
          text = 'unknown';
      }
    }
    const nullable = node['nullable'] === true;
    if (nullable) {
      consumed |= C_NULLABLE;
      bare = false;
    }
    if (type !== inferred) (tags ??= []).unshift({ name: SPECIAL_SCHEMA_TAGS.type, value: type ?? 'none' });
    const infoTags = schemaInfoToTags(node, this.#consumedSet(consumed));
    const allTags = tags === undefined ? infoTags : infoTags.length === 0 ? tags : [...tags, ...infoTags];
    const description = describe(node, allTags);
    return { doc: { description, tags: allTags }, bare, form, text, precedence, target, embedded, nullable, hint, hintProperty, item };
  }

  #consumedSet(consumed: number): ReadonlySet<string> {
    let keys = this.#consumedSets.get(consumed);
    if (keys === undefined) {
      keys = new Set(CONSUMED_KEYS.filter((_key, bit) => (consumed & (1 << bit)) !== 0));
      this.#consumedSets.set(consumed, keys);
    }
    return keys;
  }

  /** Creates the declarations a plan needs and returns its type text ({@link KindTypeBuilder.#precedence} says its precedence). */
  #render(plan: Plan, interfaceDoc: DocComment): string {
    let text: string;
    let precedence: Precedence = 0;
    switch (plan.form) {
      case FIXED:
        text = plan.text;
        precedence = plan.precedence;
        break;
      case ARRAY: {
        const hint = hintOf(plan);
        const item = this.#item(plan.target, plan.item ? `${hint}Item` : hint);
        text = this.#precedence === 0 ? `${item}[]` : `(${item})[]`;
        break;
      }
      case OBJECT:
        text = this.#interface(plan.target, hintOf(plan), interfaceDoc);
        break;
      case RECORD: {
        const hint = hintOf(plan);
        text = `Record<string, ${this.#item(plan.target, plan.item ? `${hint}Value` : hint)}>`;
        break;
      }
    }
    if (plan.embedded) {
      this.#file.usesKubeObject = true;
      const kubeObject = this.#file.imports.kubeObject;
      if (text === 'Record<string, never>') {
        text = kubeObject;
        precedence = 0;
      } else {
        text = `${kubeObject} & ${text}`;
        precedence = 1;
      }
    }
    if (plan.nullable) {
      text = `${text} | null`;
      precedence = 2;
    }
    this.#precedence = precedence;
    return text;
  }
}
