/**
 * Finding the root types (one per kind and version) in TypeScript inputs and reading what they say
 * about their CRD: the `Resource` descriptor const (group, version, kind, plural, scope,
 * subresources) and the root markers.
 *
 * A root is an interface `X` with a const `X: Resource<X> = {...}` in the same file, or an
 * interface whose TSDoc has `@group` and `@version` tags.
 * @module
 */
import { ts } from 'ts-morph';
import { InvalidMarkerError, UnsupportedTypeError, type SourceLocation } from '../errors.js';
import { readRootTags, type RootMarkers } from '../shared/crd-markers.js';
import type { JsonObject } from '../shared/json.js';
import type { DocComment } from '../shared/tsdoc.js';
import { applyDocs } from './apply-doc.js';
import type { LoadedFile, SourceSet } from './source.js';
import type { TypeConverter } from './type-to-schema.js';

/** What a `Resource` descriptor const says. */
export interface Descriptor {
  readonly group?: string;
  readonly version?: string;
  readonly kind?: string;
  readonly plural?: string;
  readonly namespaced?: boolean;
  readonly subresources?: { readonly status?: boolean; readonly scale?: boolean };
}

/** One kind at one version, read from its root type. */
export interface RootVersion {
  readonly kind: string;
  readonly group: string;
  readonly version: string;
  readonly plural: string;
  readonly scope: string;
  readonly markers: RootMarkers;
  readonly descriptor: Descriptor | undefined;
  /** The version's `openAPIV3Schema`. */
  readonly schema: JsonObject;
  readonly location: SourceLocation;
}

/** Reads a descriptor's object literal: string and boolean properties, and `subresources`. */
function readDescriptor(literal: ts.ObjectLiteralExpression, file: LoadedFile): Descriptor {
  const result: Record<string, unknown> = {};
  for (const property of literal.properties) {
    if (!ts.isPropertyAssignment(property)) continue;
    const key = ts.isIdentifier(property.name) || ts.isStringLiteral(property.name) ? property.name.text : undefined;
    if (key === undefined) continue;
    const value = property.initializer;
    if (ts.isStringLiteral(value) || ts.isNoSubstitutionTemplateLiteral(value)) result[key] = value.text;
    else if (value.kind === ts.SyntaxKind.TrueKeyword) result[key] = true;
    else if (value.kind === ts.SyntaxKind.FalseKeyword) result[key] = false;
    else if (key === 'subresources' && ts.isObjectLiteralExpression(value)) result[key] = readDescriptor(value, file);
    else throw new UnsupportedTypeError(file.location(value), `descriptor property ${key} must be a literal`);
  }
  return result as Descriptor;
}

/** The descriptor consts of a file, by the interface name they describe. */
function descriptorsOf(file: LoadedFile, sources: SourceSet): Map<string, Descriptor> {
  const found = new Map<string, Descriptor>();
  for (const statement of file.source.statements) {
    if (!ts.isVariableStatement(statement)) continue;
    for (const declaration of statement.declarationList.declarations) {
      const type = declaration.type;
      if (type === undefined || !ts.isTypeReferenceNode(type) || !ts.isIdentifier(type.typeName) || !ts.isIdentifier(declaration.name)) continue;
      const resolved = sources.resolve(type.typeName.text, file);
      const isResource = resolved?.kind === 'external' ? resolved.name === 'Resource' : resolved === undefined && type.typeName.text === 'Resource';
      const argument = type.typeArguments?.[0];
      if (!isResource || argument === undefined || !ts.isTypeReferenceNode(argument) || !ts.isIdentifier(argument.typeName)) continue;
      const initializer = declaration.initializer;
      if (initializer === undefined || !ts.isObjectLiteralExpression(initializer)) continue;
      found.set(argument.typeName.text, readDescriptor(initializer, file));
    }
  }
  return found;
}

/** A simple plural of a kind, as Kubernetes tools guess it (`Policy` → `policies`). */
export function guessPlural(kind: string): string {
  const lower = kind.toLowerCase();
  if (/[^aeiou]y$/.test(lower)) return `${lower.slice(0, -1)}ies`;
  if (/(s|x|z|ch|sh)$/.test(lower)) return `${lower}es`;
  return `${lower}s`;
}

function hasTag(doc: DocComment, name: string): boolean {
  return doc.tags.some((t) => t.name === name);
}

/** Reads every root of a file. */
export function readRoots(file: LoadedFile, sources: SourceSet, converter: TypeConverter): RootVersion[] {
  const descriptors = descriptorsOf(file, sources);
  const roots: RootVersion[] = [];
  for (const statement of file.source.statements) {
    if (!ts.isInterfaceDeclaration(statement)) continue;
    const kind = statement.name.text;
    const descriptor = descriptors.get(kind);
    const doc = file.doc(statement);
    if (descriptor === undefined && !(hasTag(doc, 'group') && hasTag(doc, 'version'))) continue;
    const location = file.location(statement);
    const { markers, rest } = readRootTags(doc.tags, location);
    const group = descriptor?.group ?? markers.group;
    const version = descriptor?.version ?? markers.versionName;
    if (group === undefined || version === undefined) throw new InvalidMarkerError(location, 'group', `root ${kind} needs a group and a version (descriptor or @group/@version)`);
    if (descriptor?.kind !== undefined && descriptor.kind !== kind) throw new InvalidMarkerError(location, 'kind', `descriptor kind ${descriptor.kind} does not match interface ${kind}`);
    const members = converter.members(statement.members, file, { root: true, heritage: statement.heritageClauses ?? [] });
    const schema = applyDocs({ schema: members, numeric: false }, [{ doc: { description: doc.description, tags: rest }, location }], converter.warnings, { root: true });
    const namespaced = descriptor?.namespaced;
    roots.push({
      kind,
      group,
      version,
      plural: descriptor?.plural ?? markers.plural ?? guessPlural(kind),
      scope: namespaced === undefined ? (markers.scope ?? 'Namespaced') : namespaced ? 'Namespaced' : 'Cluster',
      markers,
      descriptor,
      schema,
      location,
    });
  }
  return roots;
}
