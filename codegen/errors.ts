import { OpkitError } from '@opkit/runtime';

/** Machine-readable reasons a code generation step fails. */
export type CodegenErrorReason =
  | 'InputNotFound'
  | 'MalformedYaml'
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
