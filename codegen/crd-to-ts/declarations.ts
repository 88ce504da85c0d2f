/**
 * The declarations a generated file holds, and how each is written as TypeScript.
 * @module
 */
import { propertyKey, quoteString } from '../shared/names.js';
import { renderDocComment, type DocComment } from '../shared/tsdoc.js';

/** One property of a generated interface. */
export interface Member {
  readonly name: string;
  /** Optional in the type as read (a defaulted property is not). */
  readonly optional: boolean;
  readonly type: string;
  readonly doc: DocComment;
  /** The schema has a `default`: optional in the `…Input` view whatever `optional` says. */
  readonly defaulted?: boolean;
}

/** An interface: a schema object with properties (plus an index signature when it keeps unknown fields). */
export interface InterfaceDeclaration {
  readonly kind: 'interface';
  readonly name: string;
  readonly doc: DocComment;
  readonly members: Member[];
  readonly indexSignature: boolean;
}

/** A type alias: spec/status that are not interfaces, and list items or map values that carry markers. */
export interface AliasDeclaration {
  readonly kind: 'alias';
  readonly name: string;
  readonly doc: DocComment;
  type: string;
}

/** The runtime descriptor const of a kind: `export const Kind: Resource<Kind> = {...}`. */
export interface DescriptorDeclaration {
  readonly kind: 'descriptor';
  readonly name: string;
  readonly resourceType: string;
  readonly group: string;
  readonly version: string;
  readonly plural: string;
  readonly namespaced: boolean;
  readonly subresources: { readonly status: boolean; readonly scale: boolean };
  readonly served: boolean;
}

/**
 * A view of an interface with some members replaced: `type X = Omit<Base, 'a'> & { a?: … }`
 * (members not replaced keep their docs through `Omit`). Used for the `…Input` views.
 */
export interface OverrideDeclaration {
  readonly kind: 'override';
  readonly name: string;
  readonly doc: DocComment;
  readonly base: string;
  readonly members: readonly Member[];
}

/** Anything a generated file declares. */
export type Declaration = InterfaceDeclaration | AliasDeclaration | OverrideDeclaration | DescriptorDeclaration;

/** Writes one declaration (with its TSDoc) as TypeScript source, ending with a newline. */
export function renderDeclaration(declaration: Declaration): string {
  switch (declaration.kind) {
    case 'interface': {
      const lines: string[] = [renderDocComment(declaration.doc, ''), `export interface ${declaration.name} {\n`];
      for (const member of declaration.members) {
        lines.push(renderDocComment(member.doc, '  '));
        lines.push(`  ${propertyKey(member.name)}${member.optional ? '?' : ''}: ${member.type};\n`);
      }
      if (declaration.indexSignature) lines.push('  [key: string]: unknown;\n');
      lines.push('}\n');
      return lines.join('');
    }
    case 'alias':
      return `${renderDocComment(declaration.doc, '')}export type ${declaration.name} = ${declaration.type};\n`;
    case 'override': {
      const omitted = declaration.members.map((m) => quoteString(m.name)).join(' | ');
      const lines: string[] = [renderDocComment(declaration.doc, ''), `export type ${declaration.name} = Omit<${declaration.base}, ${omitted}> & {\n`];
      for (const member of declaration.members) {
        lines.push(renderDocComment(member.doc, '  '));
        lines.push(`  ${propertyKey(member.name)}${member.optional ? '?' : ''}: ${member.type};\n`);
      }
      lines.push('};\n');
      return lines.join('');
    }
    case 'descriptor': {
      const { group, version, name, plural, namespaced, subresources } = declaration;
      const sub: string[] = [];
      if (subresources.status) sub.push('status: true');
      if (subresources.scale) sub.push('scale: true');
      const served = declaration.served ? '' : ' This version is not served.';
      return [
        `/** Describes ${name} (${group}/${version}) to the Opkit runtime.${served} */\n`,
        `export const ${name}: ${declaration.resourceType}<${name}> = {\n`,
        `  group: ${quoteString(group)},\n`,
        `  version: ${quoteString(version)},\n`,
        `  kind: ${quoteString(name)},\n`,
        `  plural: ${quoteString(plural)},\n`,
        `  namespaced: ${String(namespaced)},\n`,
        sub.length > 0 ? `  subresources: { ${sub.join(', ')} },\n` : '',
        '};\n',
      ].join('');
    }
  }
}
