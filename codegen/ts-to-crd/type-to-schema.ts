/**
 * TypeScript types → OpenAPI v3 schema nodes. The mapping (the inverse of crd-to-ts):
 *
 * | TypeScript | schema |
 * | --- | --- |
 * | `string`, `boolean` | `type: string`, `type: boolean` |
 * | `number` | `type: number`, or `integer` with `@format int32`/`int64` |
 * | `'a' \| 'b'`, `1 \| 2`, `true` | `enum` (type from the literals) |
 * | `number \| string` | `x-kubernetes-int-or-string` with `anyOf: [{type: integer}, {type: string}]` |
 * | `T \| null` | `nullable: true` |
 * | `T[]`, `Array<T>` | `type: array`, `items` |
 * | `Record<string, T>`, `{ [key: string]: T }` | `type: object`, `additionalProperties` |
 * | `Record<string, never>`, `V1ObjectMeta` | `type: object` |
 * | interface / type literal | `type: object`, `properties`, `required` (non-optional members) |
 * | `[key: string]: unknown` (with or without members) | `x-kubernetes-preserve-unknown-fields: true` |
 * | `KubeObject & T` | `x-kubernetes-embedded-resource: true` on T's object |
 * | `unknown` | `x-kubernetes-preserve-unknown-fields: true` (no type) |
 * @module
 */
import { ts } from 'ts-morph';
import { UnsupportedTypeError, type CodegenWarning } from '../errors.js';
import type { JsonObject, JsonValue } from '../shared/json.js';
import { SPECIAL_SCHEMA_TAGS } from '../shared/markers.js';
import type { DocComment } from '../shared/tsdoc.js';
import { applyDocs, type LocatedDoc, type TypeSchema } from './apply-doc.js';
import type { LoadedFile, SourceSet } from './source.js';

/** A type's schema plus the docs of the declarations it went through (outermost last). */
interface Converted extends TypeSchema {
  readonly docs: readonly LocatedDoc[];
}

const INT_OR_STRING_ANY_OF = (): JsonValue[] => [{ type: 'integer' }, { type: 'string' }];

function plain(schema: JsonObject, numeric = false): Converted {
  return { schema, numeric, docs: [] };
}

/** Converts the types of one set of sources; collects warnings. */
export class TypeConverter {
  readonly #sources: SourceSet;
  readonly warnings: CodegenWarning[] = [];

  constructor(sources: SourceSet) {
    this.#sources = sources;
  }

  /**
   * The schema of a node used at a site with a doc (a property, or a list item / map value with no
   * doc of its own): the type's schema, then the docs of the declarations it names, then the site doc.
   */
  site(type: ts.TypeNode | undefined, file: LoadedFile, doc: DocComment, at: ts.Node): JsonObject {
    const siteDoc: LocatedDoc = { doc, location: file.location(at) };
    if (doc.tags.some((t) => t.name === SPECIAL_SCHEMA_TAGS.schema)) {
      return applyDocs(plain({}), [siteDoc], this.warnings);
    }
    if (type === undefined) throw new UnsupportedTypeError(file.location(at), 'a property needs a type annotation');
    const converted = this.type(type, file);
    return applyDocs(converted, [...converted.docs, siteDoc], this.warnings);
  }

  /**
   * The schema of an object type's members (an interface or a type literal). With `root`,
   * `apiVersion` and `kind` are `type: string` whatever literal type they have, and members marked
   * `@notInSchema` are left out.
   */
  members(members: readonly ts.TypeElement[], file: LoadedFile, options: { root?: boolean; heritage?: readonly ts.HeritageClause[] } = {}): JsonObject {
    const properties: JsonObject = {};
    const required: string[] = [];
    let preserve = false;
    let additional: JsonObject | undefined;
    for (const clause of options.heritage ?? []) {
      for (const base of clause.types) {
        const inherited = this.#heritage(base, file);
        Object.assign(properties, inherited.properties);
        required.push(...inherited.required.filter((r) => !required.includes(r)));
        preserve ||= inherited.preserve;
      }
    }
    for (const member of members) {
      if (ts.isPropertySignature(member)) {
        const name = propertyName(member.name, file);
        const doc = file.doc(member);
        if (doc.tags.some((t) => t.name === SPECIAL_SCHEMA_TAGS.notInSchema)) continue;
        let schema: JsonObject;
        if (options.root === true && (name === 'apiVersion' || name === 'kind') && member.type !== undefined && isStringLike(member.type)) {
          schema = applyDocs(plain({ type: 'string' }), [{ doc, location: file.location(member) }], this.warnings);
        } else {
          schema = this.site(member.type, file, doc, member);
        }
        properties[name] = schema;
        const index = required.indexOf(name);
        // a defaulted property is non-optional in the generated read view without being required;
        // one that is both is listed in the object's @required marker
        const isRequired = member.questionToken === undefined && schema['default'] === undefined;
        if (isRequired && index < 0) required.push(name);
        if (!isRequired && index >= 0) required.splice(index, 1);
      } else if (ts.isIndexSignatureDeclaration(member)) {
        const value = member.type;
        if (value.kind === ts.SyntaxKind.UnknownKeyword) preserve = true;
        else additional = this.site(value, file, file.doc(member), member);
      } else {
        throw new UnsupportedTypeError(file.location(member), `unsupported member (${ts.SyntaxKind[member.kind]}); use property signatures`);
      }
    }
    const schema: JsonObject = { type: 'object' };
    if (Object.keys(properties).length > 0) schema['properties'] = properties;
    if (required.length > 0) schema['required'] = required;
    if (additional !== undefined) schema['additionalProperties'] = additional;
    if (preserve) schema['x-kubernetes-preserve-unknown-fields'] = true;
    return schema;
  }

  #heritage(base: ts.ExpressionWithTypeArguments, file: LoadedFile): { properties: JsonObject; required: string[]; preserve: boolean } {
    const name = ts.isIdentifier(base.expression) ? base.expression.text : undefined;
    const resolved = name === undefined ? undefined : this.#sources.resolve(name, file);
    if (resolved?.kind === 'external' && resolved.name === 'KubeObject') {
      // `interface Widget extends KubeObject`: the object's own apiVersion, kind and metadata
      return { properties: { apiVersion: { type: 'string' }, kind: { type: 'string' }, metadata: { type: 'object' } }, required: [], preserve: false };
    }
    if (resolved === undefined || resolved.kind !== 'interface') {
      throw new UnsupportedTypeError(file.location(base), `cannot extend ${base.getText(file.source)}: only local or relatively imported interfaces`);
    }
    const schema = this.members(resolved.node.members, resolved.file, { heritage: resolved.node.heritageClauses ?? [] });
    const properties = schema['properties'];
    const required = schema['required'];
    return {
      properties: typeof properties === 'object' && properties !== null && !Array.isArray(properties) ? properties : {},
      required: Array.isArray(required) ? (required.filter((r) => typeof r === 'string')) : [],
      preserve: schema['x-kubernetes-preserve-unknown-fields'] === true,
    };
  }

  /** The schema a type node gives, before the site's doc. */
  type(node: ts.TypeNode, file: LoadedFile): Converted {
    switch (node.kind) {
      case ts.SyntaxKind.StringKeyword:
        return plain({ type: 'string' });
      case ts.SyntaxKind.NumberKeyword:
        return plain({ type: 'number' }, true);
      case ts.SyntaxKind.BooleanKeyword:
        return plain({ type: 'boolean' });
      case ts.SyntaxKind.UnknownKeyword:
        return plain({ 'x-kubernetes-preserve-unknown-fields': true });
      default:
    }
    if (ts.isParenthesizedTypeNode(node)) return this.type(node.type, file);
    if (ts.isTypeOperatorNode(node) && node.operator === ts.SyntaxKind.ReadonlyKeyword) return this.type(node.type, file);
    if (ts.isLiteralTypeNode(node)) return this.#union([node], file, node);
    if (ts.isUnionTypeNode(node)) return this.#union(node.types, file, node);
    if (ts.isArrayTypeNode(node)) return plain({ type: 'array', items: this.#item(node.elementType, file) });
    if (ts.isTypeLiteralNode(node)) return plain(this.members(node.members, file));
    if (ts.isIntersectionTypeNode(node)) return this.#intersection(node, file);
    if (ts.isTypeReferenceNode(node)) return this.#reference(node, file);
    throw new UnsupportedTypeError(file.location(node), `unsupported type \`${node.getText(file.source)}\``);
  }

  /** A list item or map value: its own declarations' docs apply, there is no site doc. */
  #item(node: ts.TypeNode, file: LoadedFile): JsonObject {
    const converted = this.type(node, file);
    return applyDocs(converted, converted.docs, this.warnings);
  }

  #union(types: readonly ts.TypeNode[], file: LoadedFile, at: ts.Node): Converted {
    const rest: ts.TypeNode[] = [];
    let nullable = false;
    for (const member of types) {
      const inner = unparen(member);
      if (ts.isLiteralTypeNode(inner) && inner.literal.kind === ts.SyntaxKind.NullKeyword) nullable = true;
      else rest.push(inner);
    }
    let result: Converted;
    const literals = rest.map(literalValue);
    if (rest.length > 0 && literals.every((v) => v !== undefined)) {
      const values = literals as (string | number | boolean)[];
      const kinds = new Set(values.map((v) => typeof v));
      if (kinds.size !== 1) throw new UnsupportedTypeError(file.location(at), 'a union of literals must have one kind (all strings, numbers or booleans)');
      const kind = typeof values[0];
      result = plain({ type: kind === 'string' ? 'string' : kind === 'boolean' ? 'boolean' : 'number', enum: values }, kind === 'number');
    } else if (rest.length === 2 && rest.some((t) => t.kind === ts.SyntaxKind.NumberKeyword) && rest.some((t) => t.kind === ts.SyntaxKind.StringKeyword)) {
      result = plain({ 'x-kubernetes-int-or-string': true, anyOf: INT_OR_STRING_ANY_OF() });
    } else if (rest.length === 1 && rest[0] !== undefined) {
      result = this.type(rest[0], file);
    } else {
      throw new UnsupportedTypeError(file.location(at), `unsupported union \`${at.getText(file.source)}\`: use literals, \`number | string\`, or \`T | null\``);
    }
    return nullable ? { ...result, schema: { ...result.schema, nullable: true } } : result;
  }

  #intersection(node: ts.IntersectionTypeNode, file: LoadedFile): Converted {
    let embedded = false;
    const others: ts.TypeNode[] = [];
    for (const member of node.types) {
      const inner = unparen(member);
      if (ts.isTypeReferenceNode(inner) && ts.isIdentifier(inner.typeName)) {
        const resolved = this.#sources.resolve(inner.typeName.text, file);
        if (resolved?.kind === 'external' && resolved.name === 'KubeObject') {
          embedded = true;
          continue;
        }
      }
      others.push(inner);
    }
    if (!embedded || others.length !== 1 || others[0] === undefined) {
      throw new UnsupportedTypeError(file.location(node), 'intersections are only supported as `KubeObject & T` (an embedded resource)');
    }
    const other = this.type(others[0], file);
    return { ...other, schema: { ...other.schema, type: 'object', 'x-kubernetes-embedded-resource': true } };
  }

  #reference(node: ts.TypeReferenceNode, file: LoadedFile): Converted {
    const name = ts.isIdentifier(node.typeName) ? node.typeName.text : node.typeName.getText(file.source);
    const args = node.typeArguments ?? [];
    const resolved = this.#sources.resolve(name, file);
    if (resolved === undefined) {
      if ((name === 'Array' || name === 'ReadonlyArray') && args.length === 1 && args[0] !== undefined) {
        return plain({ type: 'array', items: this.#item(args[0], file) });
      }
      if (name === 'Record' && args.length === 2 && args[0] !== undefined && args[1] !== undefined) {
        if (args[0].kind !== ts.SyntaxKind.StringKeyword) throw new UnsupportedTypeError(file.location(node), 'Record keys must be `string`');
        if (args[1].kind === ts.SyntaxKind.NeverKeyword) return plain({ type: 'object' });
        return plain({ type: 'object', additionalProperties: this.#item(args[1], file) });
      }
      throw new UnsupportedTypeError(file.location(node), `cannot resolve type \`${name}\` (declare it in an input file, or import it from a relative file)`);
    }
    switch (resolved.kind) {
      case 'external':
        if (resolved.name === 'V1ObjectMeta') return plain({ type: 'object' });
        if (resolved.name === 'KubeObject') return plain({ type: 'object', 'x-kubernetes-embedded-resource': true });
        throw new UnsupportedTypeError(file.location(node), `\`${name}\` cannot be used in a schema`);
      case 'interface': {
        const decl = resolved.node;
        const schema = this.members(decl.members, resolved.file, { heritage: decl.heritageClauses ?? [] });
        return { schema, numeric: false, docs: [{ doc: resolved.file.doc(decl), location: resolved.file.location(decl) }] };
      }
      case 'alias': {
        const decl = resolved.node;
        const doc: LocatedDoc = { doc: resolved.file.doc(decl), location: resolved.file.location(decl) };
        if (doc.doc.tags.some((t) => t.name === SPECIAL_SCHEMA_TAGS.schema)) return { schema: {}, numeric: false, docs: [doc] };
        const inner = this.type(decl.type, resolved.file);
        return { ...inner, docs: [...inner.docs, doc] };
      }
    }
  }
}

function unparen(node: ts.TypeNode): ts.TypeNode {
  return ts.isParenthesizedTypeNode(node) ? unparen(node.type) : node;
}

function isStringLike(node: ts.TypeNode): boolean {
  const inner = unparen(node);
  return inner.kind === ts.SyntaxKind.StringKeyword || (ts.isLiteralTypeNode(inner) && ts.isStringLiteral(inner.literal));
}

/** The value of a literal type (`'a'`, `1`, `-1`, `true`), or `undefined`. */
function literalValue(node: ts.TypeNode): string | number | boolean | undefined {
  if (!ts.isLiteralTypeNode(node)) return undefined;
  const literal = node.literal;
  if (ts.isStringLiteral(literal) || ts.isNoSubstitutionTemplateLiteral(literal)) return literal.text;
  if (ts.isNumericLiteral(literal)) return Number(literal.text);
  if (literal.kind === ts.SyntaxKind.TrueKeyword) return true;
  if (literal.kind === ts.SyntaxKind.FalseKeyword) return false;
  if (ts.isPrefixUnaryExpression(literal) && literal.operator === ts.SyntaxKind.MinusToken && ts.isNumericLiteral(literal.operand)) {
    return -Number(literal.operand.text);
  }
  return undefined;
}

/** The name of a property as declared (identifier, or the value of a quoted or numeric name). */
function propertyName(name: ts.PropertyName, file: LoadedFile): string {
  if (ts.isIdentifier(name) || ts.isStringLiteral(name) || ts.isNumericLiteral(name) || ts.isNoSubstitutionTemplateLiteral(name)) return name.text;
  throw new UnsupportedTypeError(file.location(name), `unsupported property name \`${name.getText(file.source)}\``);
}
