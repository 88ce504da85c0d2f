/**
 * Reading the YAML (or JSON) documents of one input file within limits: a bounded nesting depth
 * (checked by the parser, so a hostile file cannot overflow the stack), bounded alias expansion
 * (checked before anything walks the data), and an empty file is an error naming the file.
 *
 * Files in the plain subset of YAML that CRDs are written in are read by fast-yaml.ts (several
 * times faster, and it never shares nodes, so no alias check is needed). Everything else, including
 * every malformed input, is read by js-yaml with the YAML 1.2 core schema (strings, numbers,
 * booleans, null; no timestamps or merge keys), which reports the errors and applies the limits;
 * both give the same values. js-yaml is loaded only for such files.
 * @module
 */
import { createRequire } from 'node:module';
import type * as JsYaml from 'js-yaml';
import { EmptyInputError, InputLimitError, MalformedYamlError } from '../errors.js';
import { toJsonValue, type JsonValue } from '../shared/json.js';
import { readYamlSubset } from './fast-yaml.js';

/** Limits on one input's structure. */
export interface YamlLimits {
  /** Deepest nesting of mappings and sequences. Default {@link DEFAULT_MAX_DEPTH}. */
  readonly maxDepth?: number;
}

/**
 * The default nesting limit: 200 levels (a schema level is two: `properties` and the field). The
 * deepest CRDs of common operators (cert-manager, Gateway API, prometheus-operator) nest about 40.
 */
export const DEFAULT_MAX_DEPTH = 200;

/** How much aliases may add: the expanded document may hold at most this many nodes more than it has, plus its own size. */
const ALIAS_ALLOWANCE = 10_000;

/** One YAML document of a file. */
export interface YamlDocument {
  /** 0-based position among the file's documents. */
  readonly index: number;
  /** 1-based line where the document's content starts (when known). */
  readonly line: number | undefined;
  /** The parsed content; `null` for an empty document. */
  readonly value: JsonValue;
}

/**
 * Parses every document of `text` (the content of `file`).
 * @throws EmptyInputError when there is no document; MalformedYamlError (with line and column) when
 * a document does not parse or holds something JSON cannot; InputLimitError (`InputTooDeep`,
 * `AliasExpansion`) when a limit is exceeded.
 */
export function readYamlDocuments(text: string, file: string, limits: YamlLimits = {}): YamlDocument[] {
  const maxDepth = limits.maxDepth ?? DEFAULT_MAX_DEPTH;
  const subset = readYamlSubset(text, maxDepth);
  if (subset !== undefined && subset.some((value) => value !== null)) {
    // plain JSON data without shared nodes: nothing to check
    const lines = documentLines(text, subset.length);
    return subset.map((value, index) => ({ index, line: lines[index], value: value as JsonValue }));
  }
  const jsyaml = loadJsYaml();
  let raw: unknown[];
  try {
    raw = jsyaml.loadAll(text, undefined, { schema: jsyaml.CORE_SCHEMA, maxDepth } as JsYaml.LoadOptions);
  } catch (err) {
    throw translateError(jsyaml, err, file, maxDepth);
  }
  if (raw.every((value) => value === null || value === undefined)) throw new EmptyInputError(file);
  const lines = documentLines(text, raw.length);
  return raw.map((value, index) => {
    const line = lines[index];
    const location = { file, ...(line === undefined ? {} : { line }) };
    const scan = scanValue(value);
    if (!scan.json) {
      throw new MalformedYamlError(location, `document ${index + 1} holds a value JSON cannot carry (a non-finite number such as .inf or .nan); quote it`);
    }
    let converted = value === undefined ? null : (value as JsonValue);
    if (scan.shared) {
      checkAliasExpansion(value, location, index);
      converted = toJsonValue(value) ?? null; // unshare: every alias becomes its own copy
    }
    return { index, line, value: converted };
  });
}

/** js-yaml, loaded on first use (most inputs never need it). */
function loadJsYaml(): typeof JsYaml {
  return createRequire(import.meta.url)('js-yaml') as typeof JsYaml;
}

function translateError(jsyaml: typeof JsYaml, err: unknown, file: string, maxDepth: number): Error {
  if (err instanceof RangeError) {
    return new InputLimitError('InputTooDeep', { file }, `nesting is too deep to read (the limit is ${maxDepth} levels); CRD schemas nest far less, so the file is probably generated wrongly`);
  }
  if (err instanceof jsyaml.YAMLException) {
    const mark = err.mark as { line?: number; column?: number } | undefined;
    const location = { file, ...(mark?.line === undefined ? {} : { line: mark.line + 1, column: (mark.column ?? 0) + 1 }) };
    if (err.reason.startsWith('nesting exceeded maxDepth')) {
      return new InputLimitError('InputTooDeep', location, `nesting deeper than ${maxDepth} levels; CRD schemas nest far less (about 40 in common operators), so the file is probably generated wrongly`);
    }
    return new MalformedYamlError(location, err.reason);
  }
  return err instanceof Error ? err : new Error(String(err));
}

/**
 * One pass over a parsed document: whether it is plain JSON data (finite numbers only) and whether
 * any object or list is reached twice (what a YAML alias produces). Iterative: depth is bounded by
 * the parser, but a wide document must not cost a frame per node either.
 */
function scanValue(value: unknown): { json: boolean; shared: boolean } {
  if (typeof value !== 'object' || value === null) return { json: typeof value !== 'number' || Number.isFinite(value), shared: false };
  const seen = new Set<object>();
  const stack: object[] = [value];
  let shared = false;
  while (stack.length > 0) {
    const node = stack.pop() as object;
    if (seen.has(node)) {
      shared = true;
      continue;
    }
    seen.add(node);
    for (const child of Array.isArray(node) ? (node as unknown[]) : Object.values(node)) {
      if (typeof child === 'object' && child !== null) stack.push(child);
      else if (typeof child === 'number' && !Number.isFinite(child)) return { json: false, shared };
    }
  }
  return { json: true, shared };
}

/**
 * Refuses a document whose aliases (`*name`) would expand it by more than its own size plus
 * 10,000 nodes (the "billion laughs" attack). Counts the expanded size without expanding: each
 * object's size is computed once.
 */
function checkAliasExpansion(value: unknown, location: { file: string; line?: number }, index: number): void {
  if (typeof value !== 'object' || value === null) return;
  const sizes = new Map<object, number>();
  const size = (node: object): number => {
    const known = sizes.get(node);
    if (known !== undefined) return known;
    sizes.set(node, 1); // a cycle (an alias of an ancestor) counts once here and is refused below
    let total = 1;
    for (const child of Array.isArray(node) ? node : Object.values(node)) {
      total += typeof child === 'object' && child !== null ? size(child) : 1;
      if (total > Number.MAX_SAFE_INTEGER / 2) break;
    }
    sizes.set(node, total);
    return total;
  };
  const expanded = size(value);
  let own = 0;
  for (const node of sizes.keys()) own += (Array.isArray(node) ? node.length : Object.keys(node).length) + 1;
  if (expanded > 2 * own + ALIAS_ALLOWANCE || hasCycle(value)) {
    throw new InputLimitError(
      'AliasExpansion',
      location,
      `document ${index + 1}: YAML aliases (*name) expand it to more than twice its size plus ${ALIAS_ALLOWANCE} nodes (a "billion laughs" input); CRDs need no aliases: write the values out`,
    );
  }
}

function hasCycle(value: object): boolean {
  const onPath = new Set<object>();
  const done = new Set<object>();
  const visit = (node: object): boolean => {
    if (done.has(node)) return false;
    if (onPath.has(node)) return true;
    onPath.add(node);
    for (const child of Array.isArray(node) ? node : Object.values(node)) {
      if (typeof child === 'object' && child !== null && visit(child)) return true;
    }
    onPath.delete(node);
    done.add(node);
    return false;
  };
  return visit(value);
}

/**
 * The 1-based line where each document's content starts, found from the `---` markers (a document
 * marker is always at column 0). Returns an empty list when the markers do not match the number
 * of documents the parser found (then documents have no line).
 */
export function documentLines(text: string, count: number): (number | undefined)[] {
  // segment starts: the file start, and every `---` marker at a line start (found with indexOf, not per line)
  const segments: { offset: number; line: number; marker: boolean }[] = [{ offset: 0, line: 1, marker: false }];
  let newlines = 0;
  let counted = 0;
  for (let at = text.indexOf('---'); at !== -1; at = text.indexOf('---', at + 1)) {
    if (!isMarkerAt(text, at)) continue;
    newlines += countNewlines(text, counted, at);
    counted = at;
    segments.push({ offset: at, line: newlines + 1, marker: true });
  }
  const starts = segments.map((segment, k) => {
    const end = segments[k + 1]?.offset ?? text.length;
    return { first: firstContentLine(text, segment, end), marker: segment.marker };
  });
  const documents = starts.filter((start, k) => k > 0 || start.first !== undefined || starts.length === 1);
  return documents.length === count ? documents.map((start) => start.first) : [];
}

/**
 * Whether the `---` at `at` is a document marker: at a line start (after any line terminator, as
 * `^` matches in a multiline regex) and followed by a blank, a line terminator or the end of the text
 * (where `$` matches).
 */
function isMarkerAt(text: string, at: number): boolean {
  const before = at === 0 ? 0x0a : text.charCodeAt(at - 1);
  if (before !== 0x0a && before !== 0x0d && before !== 0x2028 && before !== 0x2029) return false;
  const after = text.charCodeAt(at + 3);
  return after === 0x20 || after === 0x09 || after === 0x0d || after === 0x0a || after === 0x2028 || after === 0x2029 || Number.isNaN(after);
}

function countNewlines(text: string, from: number, to: number): number {
  let n = 0;
  for (let i = text.indexOf('\n', from); i !== -1 && i < to; i = text.indexOf('\n', i + 1)) n += 1;
  return n;
}

/** The 1-based line of the first content in a segment (after its `---` marker, which may hold content itself). */
function firstContentLine(text: string, segment: { offset: number; line: number; marker: boolean }, end: number): number | undefined {
  let offset = segment.offset;
  let line = segment.line;
  let first = true;
  while (offset < end) {
    const newline = text.indexOf('\n', offset);
    const lineEnd = newline === -1 || newline > end ? end : newline;
    let content = text.slice(offset, lineEnd);
    if (first && segment.marker) content = content.slice(3);
    const trimmed = content.trim();
    const skip = trimmed === '' || trimmed.startsWith('#') || /^\.\.\.(?:\s|$)/.test(content) || (!segment.marker && content.startsWith('%'));
    if (!skip) return line;
    first = false;
    if (newline === -1 || newline >= end) return undefined;
    offset = newline + 1;
    line += 1;
  }
  return undefined;
}
