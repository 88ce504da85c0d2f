import { OpkitError } from '@opkit/runtime/errors';

/** Machine-readable reasons a code generation step fails. */
export type CodegenErrorReason =
  | 'InputNotFound'
  | 'EmptyInput'
  | 'InputTooLarge'
  | 'InputTooDeep'
  | 'AliasExpansion'
  | 'MalformedYaml'
  | 'InvalidSchema'
  | 'InvalidCrd'
  | 'UnsupportedSchema'
  | 'UnsupportedType'
  | 'InvalidMarker'
  | 'ConflictingMarkers'
  | 'NameCollision'
  | 'ClusterReadFailed'
  | 'UnresolvedKind'
  | 'UnresolvedScope'
  | 'WriteFailed';

/** Where in an input an error or a warning points. */
export interface SourceLocation {
  /** The input file (as given), or `cluster:<name>` for a CRD read from a cluster. */
  readonly file: string;
  /** 1-based line, when known. */
  readonly line?: number;
  /** 1-based column, when known. */
  readonly column?: number;
}

/** Formats a location as `file:line:column` (line and column only when known). */
export function formatLocation(location: SourceLocation): string {
  if (location.line === undefined) return location.file;
  return location.column === undefined
    ? `${location.file}:${location.line}`
    : `${location.file}:${location.line}:${location.column}`;
}

/**
 * The base of every error `opkit generate types|crd` throws: a stable `reason`, the location it
 * points at (when there is one) and the underlying `cause`. Never retryable: the input must change.
 */
export class CodegenError extends OpkitError {
  declare readonly reason: CodegenErrorReason;
  /** The input the error points at, when there is one. */
  readonly location: SourceLocation | undefined;

  constructor(options: { reason: CodegenErrorReason; message: string; location?: SourceLocation; cause?: unknown }) {
    const where = options.location === undefined ? '' : `${formatLocation(options.location)}: `;
    super({ reason: options.reason, message: `${where}${options.message}`, cause: options.cause, retryable: false });
    this.location = options.location;
  }
}

/** An input path does not exist or cannot be read. */
export class InputNotFoundError extends CodegenError {
  constructor(path: string, cause?: unknown) {
    super({ reason: 'InputNotFound', message: 'no such file or directory', location: { file: path }, cause });
  }
}

/** A YAML input does not parse. The location carries the line (and column) of the first error. */
export class MalformedYamlError extends CodegenError {
  constructor(location: SourceLocation, detail: string) {
    super({ reason: 'MalformedYaml', message: `malformed YAML: ${detail}`, location });
  }
}

/** An input file holds no YAML document at all (empty, or only comments). */
export class EmptyInputError extends CodegenError {
  constructor(file: string) {
    super({ reason: 'EmptyInput', message: 'the file is empty (no YAML document); put a CustomResourceDefinition in it, or leave it out of the inputs', location: { file } });
  }
}

/**
 * An input breaks one of the limits that keep hostile or broken files from exhausting memory or
 * the stack: its size (`InputTooLarge`), its nesting depth (`InputTooDeep`) or how far its YAML
 * aliases expand (`AliasExpansion`). The message names the limit and how to get under it.
 */
export class InputLimitError extends CodegenError {
  constructor(reason: 'InputTooLarge' | 'InputTooDeep' | 'AliasExpansion', location: SourceLocation, detail: string) {
    super({ reason, message: detail, location });
  }
}

/** One rule a CRD schema breaks, as the API server would report it. */
export interface SchemaProblem {
  /** JSON path inside the document, e.g. `spec.versions[0].schema.openAPIV3Schema.properties.spec.type`. */
  readonly path: string;
  /** A stable rule name, e.g. `unknown-type`, `forbidden-keyword`, `type-required`. */
  readonly rule: string;
  /** What is wrong and how to fix it. */
  readonly message: string;
}

/**
 * A CRD's schema would be rejected by the API server (not structural, `$ref`, an unknown type, …).
 * The message names the file, the document (index and CRD name) and, per problem, the JSON path,
 * the rule and the fix; {@link SchemaError.problems} has them as data.
 */
export class SchemaError extends CodegenError {
  /** Every problem found in the document (the message shows the first ten). */
  readonly problems: readonly SchemaProblem[];

  constructor(location: SourceLocation, document: string, problems: readonly SchemaProblem[]) {
    const shown = problems.slice(0, 10).map((p) => `\n  ${p.path}: ${p.message} [${p.rule}]`).join('');
    const more = problems.length > 10 ? `\n  … and ${problems.length - 10} more` : '';
    super({ reason: 'InvalidSchema', message: `${document}: the API server would reject this schema:${shown}${more}`, location });
    this.problems = problems;
  }
}

/** A TypeScript type or marker cannot be turned into a CRD schema. */
export class UnsupportedTypeError extends CodegenError {
  constructor(location: SourceLocation, detail: string) {
    super({ reason: 'UnsupportedType', message: detail, location });
  }
}

/** A marker (TSDoc tag) has a value that does not parse, or is not allowed where it is. */
export class InvalidMarkerError extends CodegenError {
  constructor(location: SourceLocation, tag: string, detail: string) {
    super({ reason: 'InvalidMarker', message: `@${tag}: ${detail}`, location });
  }
}

/** A problem that does not stop generation: the input is skipped or the marker ignored. */
export interface CodegenWarning {
  readonly location: SourceLocation;
  readonly message: string;
}

/** Formats a warning as `file:line: message`. */
export function formatWarning(warning: CodegenWarning): string {
  return `${formatLocation(warning.location)}: ${warning.message}`;
}
