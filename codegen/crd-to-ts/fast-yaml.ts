/**
 * A fast reader for the YAML subset CRD files use: block mappings and sequences, plain and quoted
 * one-line scalars, literal block scalars (`|`, `|-`, `|+`), one-line flow collections, comments,
 * several documents, CRLF line ends. It gives the same values as js-yaml with the core schema for
 * every input it accepts, and gives up (returns `undefined`) on anything else: anchors, aliases,
 * tags, directives, folded or multi-line scalars, explicit keys, tabs in indentation, duplicate or
 * `__proto__` keys, numbers other than plain decimals, deep nesting, and every malformed input.
 * The caller then reads the file with js-yaml, which reports errors and applies the limits
 * (read-yaml.ts), so a file this reader declines is read exactly as before.
 *
 * Why: js-yaml is general (every construct, marks for errors, a value check per scalar) and is a
 * quarter of `generate types` on a CRD corpus; a CRD is about 100,000 lines of the simplest YAML.
 * @module
 */

/** Thrown inside the reader when the input leaves the subset; never escapes {@link readYamlSubset}. */
class OutsideSubset extends Error {}

/** Where the reader is: `pos` is always at the start of a line between calls of the block readers. */
interface Cursor {
  readonly text: string;
  /** Current offset. */
  pos: number;
  /** Offset of the current line's first character. */
  lineStart: number;
  /** Collections open around the current node. */
  depth: number;
  /** Deepest nesting read here; deeper input is left to js-yaml, which applies the limit. */
  readonly maxDepth: number;
  /** Whether the text has any CR (then every CR is part of a CRLF line end). */
  readonly crlf: boolean;
  /**
   * A line start whose indentation was already scanned, and where its first non-space character is
   * (so the next reader of that line does not scan it again).
   */
  seenLine: number;
  seenContent: number;
  /** Where a plain scalar in block context was last scanned from, and where it ends (a mapping's first key is scanned by two readers). */
  plainFrom: number;
  plainEnd: number;
}

const SPACE = 32;
const TAB = 9;
const LF = 10;
const CR = 13;
const HASH = 35;
const DASH = 45;
const COLON = 58;

/** The spaces at a position (one native call, not a loop, while the reader is not yet compiled). */
const SPACES = / */y;
/** A plain scalar in block context: stops before `: `, ` #`, trailing blanks and the line end. */
const PLAIN_BLOCK = /[^ \t\r\n:#]*(?:(?::(?=[^ \t\r\n])|[ \t]+(?=[^ \t\r\n#])|#)[^ \t\r\n:#]*)*/y;
/**
 * A plain key and its `:` as {@link readKey} reads them in the common case: a first character that
 * is no indicator, no blank, `:` or `#` inside, and a blank or the line end after the `:`.
 */
const SIMPLE_KEY = /[^ \t\r\n:#,[\]{}&*!|>'"%@`?-][^ \t\r\n:#]*:(?=[ \t\r\n]|$)/y;
/**
 * A plain value as {@link readNode} reads it in the common case, with its line feed: a first
 * character that is no indicator, no `:` or `#` in it, and the line end right after its last
 * non-blank character.
 */
const SIMPLE_VALUE = /[^ \t\r\n#,[\]{}&*!|>'"%@`?:-](?:[^\r\n#:]*[^ \t\r\n#:])?\n/y;
/** The same for a key in a flow mapping and its `:` ({@link readFlowKey}). */
const SIMPLE_FLOW_KEY = /[^ \t\r\n:#,[\]{}&*!|>'"%@`?-][^ \t\r\n:#,[\]{}]*:(?=[ \t\r\n]|$)/y;
/** The same for a value in a flow collection, before the blanks and the `,`, `]` or `}` after it ({@link readFlowValue}). */
const SIMPLE_FLOW_VALUE = /[^ \t\r\n:#,[\]{}&*!|>'"%@`?-](?:[^\r\n:#,[\]{}]*[^ \t\r\n:#,[\]{}])?(?=[ \t]*[,\]}])/y;
/** A plain scalar in a flow collection: also stops before `,`, `[`, `]`, `{`, `}`. */
const PLAIN_FLOW = /[^ \t\r\n:#,[\]{}]*(?:(?::(?=[^ \t\r\n,[\]{}])|[ \t]+(?=[^ \t\r\n#,[\]{}])|#)[^ \t\r\n:#,[\]{},]*)*/y;
/** What js-yaml refuses in any input (non-printable characters, lone surrogates); such input is left to it. */
// eslint-disable-next-line no-control-regex -- the control characters are what the pattern finds
const NON_PRINTABLE = /[\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x84\x86-\x9F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?:[^\uD800-\uDBFF]|^)[\uDC00-\uDFFF]/;
/** A cheaper first look for {@link NON_PRINTABLE}: the same characters and any surrogate. */
// eslint-disable-next-line no-control-regex -- the control characters are what the pattern finds
const MAYBE_NON_PRINTABLE = /[\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x84\x86-\x9F\uFFFE\uFFFF\uD800-\uDFFF]/;
const INTEGER = /^[-+]?(?:0|[1-9][0-9]*)$/;
const FLOAT = /^(?:[-+]?[0-9]+(?:\.[0-9]*)?(?:[eE][-+]?[0-9]+)?|\.[0-9]+(?:[eE][-+]?[0-9]+)?)$/;
/** Scalars js-yaml's core schema would read as something this reader does not (hex, octal, binary, leading zeros, .inf, .nan). */
const OTHER_NUMBER = /^[-+]?(?:0[0-9box]|\.(?:inf|Inf|INF|nan|NaN|NAN)$)/;
/** js-yaml reads implicit keys of at most this many characters. */
const MAX_KEY_LENGTH = 1024;

/**
 * Every document of `text`, read with the semantics of js-yaml's core schema, or `undefined` when
 * the text uses anything outside the subset this reader knows (then js-yaml must read it). An empty
 * document is `null`. Values are plain objects, arrays, strings, finite numbers, booleans and
 * `null`; nothing is shared between two places.
 */
export function readYamlSubset(text: string, maxDepth: number): unknown[] | undefined {
  const crlf = text.includes('\r');
  if ((MAYBE_NON_PRINTABLE.test(text) && NON_PRINTABLE.test(text)) || (crlf && /\r(?!\n)/.test(text)) || text.charCodeAt(0) === 0xfeff) return undefined;
  const cursor: Cursor = { text, pos: 0, lineStart: 0, depth: 0, maxDepth, crlf, seenLine: -1, seenContent: 0, plainFrom: -1, plainEnd: 0 };
  try {
    return readDocuments(cursor);
  } catch (err) {
    if (err instanceof OutsideSubset) return undefined;
    throw err;
  }
}

function outside(): never {
  throw new OutsideSubset();
}

function readDocuments(c: Cursor): unknown[] {
  const documents: unknown[] = [];
  let indent = toContent(c);
  if (indent === -1 && !atMarker(c)) return outside(); // no content and no marker: js-yaml's count of empty documents
  if (indent !== -1) documents.push(readRoot(c, indent));
  while (c.pos < c.text.length) {
    if (!atMarker(c) || c.text.charCodeAt(c.pos) !== DASH) return outside(); // `...` or content after the root
    endLine(c, c.pos + 3);
    indent = toContent(c);
    documents.push(indent === -1 ? null : readRoot(c, indent));
  }
  return documents;
}

function readRoot(c: Cursor, indent: number): unknown {
  const ch = c.text.charCodeAt(c.pos);
  if (ch === DASH && isBlankOrEnd(c.text.charCodeAt(c.pos + 1))) return readSequence(c, indent);
  const value = readNode(c, indent, -1, true);
  if (typeof value !== 'object' || value === null) return outside(); // a scalar document
  const next = toContent(c);
  if (next !== -1) return outside();
  return value;
}

/** `,`, `[`, `]`, `{` or `}`. */
function isFlowIndicator(ch: number): boolean {
  return ch === 0x2c || ch === 0x5b || ch === 0x5d || ch === 0x7b || ch === 0x7d;
}

/** A character that cannot start a plain scalar (besides `-`, `?` and `:` before a blank): ``,[]{}#&*!|>'"%@` ``. */
function isIndicator(ch: number): boolean {
  switch (ch) {
    case 0x2c: // ,
    case 0x5b: // [
    case 0x5d: // ]
    case 0x7b: // {
    case 0x7d: // }
    case HASH:
    case 0x26: // &
    case 0x2a: // *
    case 0x21: // !
    case 0x7c: // |
    case 0x3e: // >
    case 0x27: // '
    case 0x22: // "
    case 0x25: // %
    case 0x40: // @
    case 0x60: // `
      return true;
    default:
      return false;
  }
}

/** Space, tab, line end or the end of the text (what may follow `-` or `:` as an indicator). */
function isBlankOrEnd(ch: number): boolean {
  return ch === SPACE || ch === TAB || ch === LF || ch === CR || ch !== ch; // NaN past the end
}

/** Whether the cursor (at a line start) is at a `---` or `...` line. */
function atMarker(c: Cursor): boolean {
  return atMarkerAt(c.text, c.pos);
}

function atMarkerAt(text: string, pos: number): boolean {
  const ch = text.charCodeAt(pos);
  if (ch !== DASH && ch !== 46) return false;
  return text.charCodeAt(pos + 1) === ch && text.charCodeAt(pos + 2) === ch && isBlankOrEnd(text.charCodeAt(pos + 3));
}

/** The first offset from `from` that is not a space; remembered for the line start `from`. */
function skipSpaces(c: Cursor, from: number): number {
  if (from === c.seenLine) return c.seenContent;
  SPACES.lastIndex = from;
  SPACES.test(c.text);
  const i = SPACES.lastIndex;
  c.seenLine = from;
  c.seenContent = i;
  return i;
}

/**
 * From a line start, skips blank and comment lines; returns the indentation of the next content
 * line (the cursor at its first character), or -1 at the end of the text or a document marker
 * (the cursor at the marker's line start). Called again there, it returns the same.
 */
function toContent(c: Cursor): number {
  if (c.pos !== c.lineStart) return c.pos - c.lineStart; // already there
  const text = c.text;
  for (;;) {
    const start = c.pos;
    c.lineStart = start;
    if (start >= text.length) return -1;
    let i = skipSpaces(c, start);
    let ch = text.charCodeAt(i);
    if (ch === TAB) {
      // a tab in the indentation is fine only on a blank or comment line
      while (text.charCodeAt(i) === SPACE || text.charCodeAt(i) === TAB) i += 1;
      ch = text.charCodeAt(i);
      if (ch !== LF && ch !== CR && ch !== HASH && i < text.length) return outside();
    }
    if (ch === LF || ch === CR || ch === HASH || i >= text.length) {
      const newline = text.indexOf('\n', i);
      c.pos = newline === -1 ? text.length : newline + 1;
      continue;
    }
    if (i === start && atMarker(c)) return -1;
    c.pos = i;
    return i - start;
  }
}

/** After a value on a line: only blanks and a comment may follow; moves to the next line. */
function endLine(c: Cursor, from: number): void {
  const text = c.text;
  let i = from;
  let ch = text.charCodeAt(i);
  if (ch === LF) {
    // the common case: the line ends right there
    c.pos = i + 1;
    c.lineStart = c.pos;
    return;
  }
  while (ch === SPACE || ch === TAB) {
    i += 1;
    ch = text.charCodeAt(i);
  }
  if (ch === HASH) {
    if (i === from) return outside(); // a comment needs a blank before it
  } else if (ch === CR) {
    if (text.charCodeAt(i + 1) !== LF) return outside();
  } else if (ch !== LF && i < text.length) {
    return outside();
  }
  const newline = text.indexOf('\n', i);
  c.pos = newline === -1 ? text.length : newline + 1;
  c.lineStart = c.pos;
}

function enter(c: Cursor): void {
  c.depth += 1;
  if (c.depth + 2 > c.maxDepth) outside();
}

/**
 * Reads the node whose first character is at the cursor (column `col`) and whose parent
 * collection is at column `parentCol`. `block`: a block mapping or sequence may start here (not
 * after `key: `). Leaves the cursor at the start of the line after the node.
 */
function readNode(c: Cursor, col: number, parentCol: number, block: boolean): unknown {
  const text = c.text;
  const ch = text.charCodeAt(c.pos);
  switch (ch) {
    case DASH:
      if (isBlankOrEnd(text.charCodeAt(c.pos + 1))) return block ? readSequence(c, col) : outside();
      break;
    case 0x7c: // |
      return readLiteral(c, parentCol);
    case 0x5b: // [
    case 0x7b: { // {
      enter(c);
      const value = readFlow(c);
      c.depth -= 1;
      endLine(c, c.pos);
      return value;
    }
    case 0x27: // '
    case 0x22: { // "
      const start = c.pos;
      const lineStart = c.lineStart;
      const value = readQuoted(c);
      const i = skipBlanks(text, c.pos);
      if (text.charCodeAt(i) === COLON && isBlankOrEnd(text.charCodeAt(i + 1))) {
        if (!block || c.lineStart !== lineStart) return outside(); // a multi-line key
        c.pos = start;
        return readMapping(c, col);
      }
      endLine(c, c.pos);
      return value;
    }
    case 0x3f: // ?
    case COLON:
    case 0x2c: // ,
    case 0x5d: // ]
    case 0x7d: // }
    case 0x26: // &
    case 0x2a: // *
    case 0x21: // !
    case 0x3e: // >
    case 0x25: // %
    case 0x40: // @
    case 0x60: // `
      return outside();
    default:
      break;
  }
  const end = plainBlockEnd(c, c.pos);
  const after = text.charCodeAt(end);
  if (after === COLON) return block ? readMapping(c, col) : outside();
  const first = trimmedSlice(text, c.pos, end);
  endLine(c, end);
  if (after === HASH || (after !== LF && after !== CR && text.charCodeAt(skipBlanks(text, end)) === HASH)) return plainValue(first);
  const more = continuation(c, parentCol);
  return more === undefined ? plainValue(first) : `${first}${more}`;
}

/** Where the plain scalar (in block context) at `from` ends, before trailing blanks. */
function plainBlockEnd(c: Cursor, from: number): number {
  if (from === c.plainFrom) return c.plainEnd;
  PLAIN_BLOCK.lastIndex = from;
  PLAIN_BLOCK.test(c.text);
  const end = PLAIN_BLOCK.lastIndex;
  c.plainFrom = from;
  c.plainEnd = end;
  return end;
}

function skipBlanks(text: string, from: number): number {
  let i = from;
  let ch = text.charCodeAt(i);
  while (ch === SPACE || ch === TAB) {
    i += 1;
    ch = text.charCodeAt(i);
  }
  return i;
}

/**
 * The rest of a plain scalar that goes on over the next lines (those indented more than its
 * parent, `parentCol`), folded as js-yaml folds it: one line break becomes a space, n > 1 become
 * n - 1 line feeds. `undefined` when the scalar ends on its first line. The cursor is at the line
 * after the first and moves to the line after the last.
 */
function continuation(c: Cursor, parentCol: number): string | undefined {
  const text = c.text;
  let out: string | undefined;
  let breaks = 1;
  let pos = c.pos;
  for (;;) {
    if (pos >= text.length) break;
    let i = skipSpaces(c, pos);
    let ch = text.charCodeAt(i);
    if (ch === TAB) {
      i = skipBlanks(text, i);
      ch = text.charCodeAt(i);
      if (ch !== LF && ch !== CR && i < text.length) return outside(); // a tab in a continuation line's indentation
    }
    if (ch === LF || ch === CR || i >= text.length) {
      // a blank line: one more line break
      const newline = text.indexOf('\n', i);
      if (newline === -1) break;
      pos = newline + 1;
      breaks += 1;
      continue;
    }
    if (i - pos <= parentCol || ch === HASH || (i === pos && atMarkerAt(text, pos))) break;
    PLAIN_BLOCK.lastIndex = i;
    PLAIN_BLOCK.test(text);
    const end = PLAIN_BLOCK.lastIndex;
    if (text.charCodeAt(end) === COLON) return outside(); // a multi-line implicit key
    const segment = trimmedSlice(text, i, end);
    out = `${out ?? ''}${breaks === 1 ? ' ' : '\n'.repeat(breaks - 1)}${segment}`;
    breaks = 1;
    c.pos = pos;
    c.lineStart = pos;
    endLine(c, end);
    pos = c.pos;
    if (text.charCodeAt(skipBlanks(text, end)) === HASH) break; // a comment ends the scalar
  }
  return out;
}

function trimmedSlice(text: string, start: number, end: number): string {
  const last = text.charCodeAt(end - 1);
  if (last !== SPACE && last !== TAB) return text.slice(start, end);
  let e = end;
  while (e > start && (text.charCodeAt(e - 1) === SPACE || text.charCodeAt(e - 1) === TAB)) e -= 1;
  return text.slice(start, e);
}

/** A block mapping whose keys are at column `col`; the cursor is at its first key. */
function readMapping(c: Cursor, col: number): Record<string, unknown> {
  enter(c);
  const text = c.text;
  const result: Record<string, unknown> = {};
  for (;;) {
    const key = readKey(c);
    if (key === '__proto__' || Object.hasOwn(result, key)) return outside();
    const value = readValue(c, col);
    result[key] = value;
    const next = toContent(c);
    if (next < col) break;
    if (next > col) return outside();
    if (text.charCodeAt(c.pos) === DASH && isBlankOrEnd(text.charCodeAt(c.pos + 1))) return outside();
  }
  c.depth -= 1;
  return result;
}

/** The value of a key in a mapping at column `col`; the cursor is just after the key's `:`. */
function readValue(c: Cursor, col: number): unknown {
  const text = c.text;
  let i = c.pos;
  let ch = text.charCodeAt(i);
  while (ch === SPACE || ch === TAB) {
    i += 1;
    ch = text.charCodeAt(i);
  }
  if (ch === LF || ch === CR || ch === HASH || i >= text.length) {
    endLine(c, c.pos);
    return readIndentedValue(c, col);
  }
  SIMPLE_VALUE.lastIndex = i;
  if (SIMPLE_VALUE.test(text)) {
    // the common value, found with one call: a plain scalar that ends the line (it may go on over the next ones)
    const raw = text.slice(i, SIMPLE_VALUE.lastIndex - 1);
    c.pos = SIMPLE_VALUE.lastIndex;
    c.lineStart = c.pos;
    const more = continuation(c, col);
    return more === undefined ? plainValue(raw) : `${raw}${more}`;
  }
  c.pos = i;
  return readNode(c, i - c.lineStart, col, false);
}

/**
 * The value of a key (in a mapping at column `col`) that is written on the lines after it; the
 * cursor is at the start of the line after the key. Nothing there is `null`.
 */
function readIndentedValue(c: Cursor, col: number): unknown {
  const text = c.text;
  const indent = toContent(c);
  if (indent > col) return readNode(c, indent, col, true);
  if (indent === col && text.charCodeAt(c.pos) === DASH && isBlankOrEnd(text.charCodeAt(c.pos + 1))) return readSequence(c, col);
  return null;
}

/** Reads `key:` at the cursor; leaves the cursor after the colon. */
function readKey(c: Cursor): string {
  const text = c.text;
  const start = c.pos;
  const ch = text.charCodeAt(start);
  let key: string;
  let end: number;
  if (ch === 0x27 || ch === 0x22) {
    const close = quotedEnd(text, start);
    const newline = text.indexOf('\n', start);
    if (newline !== -1 && newline < close) return outside(); // a multi-line key
    key = unquote(text, start, close);
    end = skipBlanks(text, close);
  } else {
    if (start !== c.plainFrom) {
      // the common key, found with one call: no blanks, `:` or `#` in it, and a blank or line end after its `:`
      SIMPLE_KEY.lastIndex = start;
      if (SIMPLE_KEY.test(text) && SIMPLE_KEY.lastIndex - start <= MAX_KEY_LENGTH) {
        c.pos = SIMPLE_KEY.lastIndex;
        return keyText(plainValue(text.slice(start, c.pos - 1)));
      }
    }
    if (ch === DASH || ch === 0x3f || ch === COLON) {
      if (isBlankOrEnd(text.charCodeAt(start + 1))) return outside();
    } else if (isIndicator(ch)) {
      return outside();
    }
    end = plainBlockEnd(c, start);
    key = keyText(plainValue(trimmedSlice(text, start, end)));
  }
  if (text.charCodeAt(end) !== COLON || !isBlankOrEnd(text.charCodeAt(end + 1)) || end - start > MAX_KEY_LENGTH) return outside();
  c.pos = end + 1;
  return key;
}

/** A scalar key as js-yaml stores it: `String(value)` (`1.0: x` has the key `1`). */
function keyText(value: unknown): string {
  return typeof value === 'string' ? value : String(value);
}

/** A block sequence whose `-` are at column `col`; the cursor is at the first `-`. */
function readSequence(c: Cursor, col: number): unknown[] {
  enter(c);
  const text = c.text;
  const result: unknown[] = [];
  for (;;) {
    let i = c.pos + 1;
    let ch = text.charCodeAt(i);
    while (ch === SPACE || ch === TAB) {
      i += 1;
      ch = text.charCodeAt(i);
    }
    if (ch === LF || ch === CR || ch === HASH || i >= text.length) {
      endLine(c, c.pos + 1);
      const indent = toContent(c);
      result.push(indent > col ? readNode(c, indent, col, true) : null);
    } else {
      if (text.charCodeAt(i - 1) === TAB) return outside(); // a tab before a compact collection
      c.pos = i;
      result.push(readNode(c, i - c.lineStart, col, true));
    }
    const next = toContent(c);
    if (next < col) break;
    if (next > col) return outside();
    if (text.charCodeAt(c.pos) !== DASH || !isBlankOrEnd(text.charCodeAt(c.pos + 1))) break;
  }
  c.depth -= 1;
  return result;
}

/**
 * A literal block scalar (`|`, `|-`, `|+`) whose header is at the cursor, inside a collection at
 * column `parentCol`: its lines are those indented more than the parent, at the indentation of the
 * first non-blank one.
 */
function readLiteral(c: Cursor, parentCol: number): string {
  const text = c.text;
  let i = c.pos + 1;
  let chomp = 0; // 0 clip, -1 strip, 1 keep
  const indicator = text.charCodeAt(i);
  if (indicator === DASH) chomp = -1;
  else if (indicator === 0x2b) chomp = 1;
  if (chomp !== 0) i += 1;
  const after = text.charCodeAt(i);
  if (after >= 0x30 && after <= 0x39) return outside(); // an explicit indentation indicator
  endLine(c, i);
  const fast = readLiteralBody(c, parentCol, chomp);
  if (fast !== undefined) return fast;
  const lines: string[] = [];
  let indent = -1;
  let leadingBlankSpaces = 0;
  let trailingBlank = 0;
  for (;;) {
    const start = c.pos;
    if (start >= text.length) break;
    let j = start;
    while (text.charCodeAt(j) === SPACE) j += 1;
    const spaces = j - start;
    const newline = text.indexOf('\n', j);
    const lineEnd = newline === -1 ? text.length : newline;
    const contentEnd = lineEnd > start && text.charCodeAt(lineEnd - 1) === CR ? lineEnd - 1 : lineEnd;
    if (j >= contentEnd) {
      // a blank line: part of the scalar (as a line break) unless the scalar ends after it
      if (indent === -1) leadingBlankSpaces = Math.max(leadingBlankSpaces, spaces);
      else if (spaces > indent) return outside(); // blanks beyond the indentation are content
      trailingBlank += 1;
      c.pos = newline === -1 ? text.length : newline + 1;
      continue;
    }
    if (text.charCodeAt(j) === TAB && (indent === -1 || spaces < indent)) return outside();
    if (indent === -1) {
      if (spaces <= parentCol) break;
      if (leadingBlankSpaces > spaces) return outside();
      indent = spaces;
    } else if (spaces < indent) {
      break;
    }
    for (; trailingBlank > 0; trailingBlank -= 1) lines.push('');
    lines.push(text.slice(start + indent, contentEnd));
    c.pos = newline === -1 ? text.length : newline + 1;
  }
  c.lineStart = c.pos;
  if (lines.length === 0) {
    if (chomp === 1 && trailingBlank > 0) return outside();
    return '';
  }
  const body = lines.join('\n');
  if (chomp === -1) return body;
  if (chomp === 0) return `${body}\n`;
  return `${body}\n${'\n'.repeat(trailingBlank)}`;
}

/**
 * The common literal block, read with one slice: LF line ends, content on its first line, and
 * every blank line inside either empty or indented exactly as the content. Then the value is the
 * text from the first line's content to the last line's end, without the indentation after each
 * line break. `undefined` (the cursor unmoved) for any other block, which {@link readLiteral}
 * reads line by line.
 */
function readLiteralBody(c: Cursor, parentCol: number, chomp: number): string | undefined {
  if (c.crlf) return undefined;
  const text = c.text;
  const length = text.length;
  const first = c.pos;
  const j = skipSpaces(c, first);
  const indent = j - first;
  if (indent <= parentCol || indent === 0 || text.charCodeAt(j) <= SPACE || j >= length) return undefined; // empty, blank-first or tab-indented
  let newline = text.indexOf('\n', j);
  let end = newline === -1 ? length : newline; // the end of the last content line
  let pos = newline === -1 ? length : newline + 1;
  let blank = 0; // blank lines since the last content line
  let lines = 1;
  while (pos < length) {
    // skipSpaces inlined: this runs for every line of every description
    SPACES.lastIndex = pos;
    SPACES.test(text);
    const k = SPACES.lastIndex;
    const spaces = k - pos;
    const ch = text.charCodeAt(k);
    if (ch === LF || k >= length) {
      if (spaces !== 0 && spaces !== indent) return undefined; // blanks that are not the indentation: see readLiteral
      blank += 1;
      pos = k + 1;
      continue;
    }
    if (spaces < indent) {
      if (ch === TAB) return undefined;
      c.seenLine = pos; // the next reader of this line need not scan it again
      c.seenContent = k;
      break; // content indented less: the block ended
    }
    newline = text.indexOf('\n', k);
    end = newline === -1 ? length : newline;
    pos = newline === -1 ? length : newline + 1;
    blank = 0;
    lines += 1;
  }
  if (pos > length) pos = length;
  c.pos = pos;
  c.lineStart = pos;
  const raw = text.slice(first + indent, end);
  const body = lines === 1 ? raw : raw.replaceAll(`\n${' '.repeat(indent)}`, '\n');
  if (chomp === -1) return body;
  if (chomp === 0) return `${body}\n`;
  return `${body}\n${'\n'.repeat(blank)}`;
}

/**
 * A one-line flow collection at the cursor (`[` or `{`), leaving the cursor after its closing
 * bracket. Nested collections, quoted and plain scalars; no implicit pairs in sequences, no keys
 * without values.
 */
function readFlow(c: Cursor): unknown {
  const open = c.text.charCodeAt(c.pos);
  c.pos += 1;
  return open === 0x5b ? readFlowSequence(c) : readFlowMapping(c);
}

function readFlowSequence(c: Cursor): unknown[] {
  const text = c.text;
  const list: unknown[] = [];
  for (;;) {
    skipFlowBlanks(c);
    if (text.charCodeAt(c.pos) === 0x5d) {
      c.pos += 1;
      return list;
    }
    list.push(readFlowValue(c));
    skipFlowBlanks(c);
    const ch = text.charCodeAt(c.pos);
    if (ch === 0x2c) c.pos += 1;
    else if (ch !== 0x5d) return outside();
  }
}

function readFlowMapping(c: Cursor): Record<string, unknown> {
  const text = c.text;
  const map: Record<string, unknown> = {};
  for (;;) {
    skipFlowBlanks(c);
    if (text.charCodeAt(c.pos) === 0x7d) {
      c.pos += 1;
      return map;
    }
    const key = readFlowKey(c);
    if (key === '__proto__' || Object.hasOwn(map, key)) return outside();
    skipFlowBlanks(c);
    let ch = text.charCodeAt(c.pos);
    if (ch === 0x2c || ch === 0x7d) return outside(); // a key without a value
    map[key] = readFlowValue(c);
    skipFlowBlanks(c);
    ch = text.charCodeAt(c.pos);
    if (ch === 0x2c) c.pos += 1;
    else if (ch !== 0x7d) return outside();
  }
}

function skipFlowBlanks(c: Cursor): void {
  const text = c.text;
  let pos = c.pos;
  let ch = text.charCodeAt(pos);
  while (ch === SPACE || ch === TAB) {
    pos += 1;
    ch = text.charCodeAt(pos);
  }
  c.pos = pos;
}

/** A key in a flow mapping, and its `:` (after a quoted key it need not be followed by a blank). */
function readFlowKey(c: Cursor): string {
  const text = c.text;
  const start = c.pos;
  const ch = text.charCodeAt(start);
  if (ch === 0x27 || ch === 0x22) {
    const end = quotedEnd(text, start);
    const newline = text.indexOf('\n', start);
    if (newline !== -1 && newline < end) return outside(); // the collection goes on over several lines
    const key = unquote(text, start, end);
    c.pos = end;
    skipFlowBlanks(c);
    if (text.charCodeAt(c.pos) !== COLON) return outside();
    c.pos += 1;
    return key;
  }
  SIMPLE_FLOW_KEY.lastIndex = start;
  if (SIMPLE_FLOW_KEY.test(text)) {
    c.pos = SIMPLE_FLOW_KEY.lastIndex;
    return keyText(plainValue(text.slice(start, c.pos - 1)));
  }
  const value = readFlowPlain(c);
  if (text.charCodeAt(c.pos) !== COLON || !isBlankOrEnd(text.charCodeAt(c.pos + 1))) return outside();
  c.pos += 1;
  return keyText(value);
}

function readFlowValue(c: Cursor): unknown {
  const text = c.text;
  const ch = text.charCodeAt(c.pos);
  if (ch === 0x5b || ch === 0x7b) {
    enter(c);
    const value = readFlow(c);
    c.depth -= 1;
    return value;
  }
  if (ch === 0x27 || ch === 0x22) {
    const end = quotedEnd(text, c.pos);
    const newline = text.indexOf('\n', c.pos);
    if (newline !== -1 && newline < end) return outside(); // the collection goes on over several lines
    const value = unquote(text, c.pos, end);
    c.pos = end;
    return value;
  }
  const start = c.pos;
  SIMPLE_FLOW_VALUE.lastIndex = start;
  if (SIMPLE_FLOW_VALUE.test(text)) {
    c.pos = SIMPLE_FLOW_VALUE.lastIndex;
    return plainValue(text.slice(start, c.pos));
  }
  const value = readFlowPlain(c);
  if (text.charCodeAt(c.pos) === COLON) return outside(); // an implicit pair
  return value;
}

function readFlowPlain(c: Cursor): unknown {
  const text = c.text;
  const start = c.pos;
  const ch = text.charCodeAt(start);
  if ((ch === DASH || ch === 0x3f || ch === COLON) && (isBlankOrEnd(text.charCodeAt(start + 1)) || isFlowIndicator(text.charCodeAt(start + 1)))) return outside();
  if (isIndicator(ch) || isBlankOrEnd(ch)) return outside();
  PLAIN_FLOW.lastIndex = start;
  PLAIN_FLOW.test(text);
  const end = PLAIN_FLOW.lastIndex;
  const next = text.charCodeAt(end);
  if (next === LF || next === CR || Number.isNaN(next)) return outside(); // the collection continues on the next line
  c.pos = end;
  return plainValue(trimmedSlice(text, start, end));
}

/** A plain scalar's value in js-yaml's core schema: null, booleans, decimal numbers, else the text. */
function plainValue(raw: string): unknown {
  if (raw.length === 0) return null;
  const first = raw.charCodeAt(0);
  // only scalars starting with a digit, sign or dot can be numbers
  if ((first >= 0x30 && first <= 0x39) || first === 0x2b || first === DASH || first === 46) return numberValue(raw);
  // and only those starting with ~, n, N, t, T, f or F null or a boolean
  if (first !== 0x7e && first !== 0x6e && first !== 0x4e && first !== 0x74 && first !== 0x54 && first !== 0x66 && first !== 0x46) return raw;
  switch (raw) {
    case '~':
    case 'null':
    case 'Null':
    case 'NULL':
      return null;
    case 'true':
    case 'True':
    case 'TRUE':
      return true;
    case 'false':
    case 'False':
    case 'FALSE':
      return false;
    default:
      return raw;
  }
}

function numberValue(raw: string): unknown {
  if (INTEGER.test(raw)) {
    const value = Number(raw);
    if (value === 0) return 0; // js-yaml reads -0 as 0
    return Number.isFinite(value) ? value : outside();
  }
  if (FLOAT.test(raw)) {
    const value = Number(raw);
    return Number.isFinite(value) ? value : outside();
  }
  if (OTHER_NUMBER.test(raw)) return outside();
  return raw;
}

/** The offset just after the closing quote of the quoted scalar at `start` (on its line or a later one). */
function quotedEnd(text: string, start: number): number {
  const quote = text[start] as string;
  let i = start + 1;
  for (;;) {
    const close = text.indexOf(quote, i);
    if (close === -1) return outside();
    if (quote === "'") {
      if (text.charCodeAt(close + 1) === 0x27) {
        i = close + 2;
        continue;
      }
    } else {
      let backslashes = 0;
      while (text.charCodeAt(close - 1 - backslashes) === 0x5c) backslashes += 1;
      if (backslashes % 2 === 1) {
        i = close + 1;
        continue;
      }
    }
    return close + 1;
  }
}

/**
 * Reads the quoted scalar at the cursor, leaving the cursor just after its closing quote (on the
 * line it ends on).
 */
function readQuoted(c: Cursor): string {
  const text = c.text;
  const start = c.pos;
  const end = quotedEnd(text, start);
  const newline = text.indexOf('\n', start);
  c.pos = end;
  if (newline === -1 || newline > end) return unquote(text, start, end);
  c.lineStart = text.lastIndexOf('\n', end) + 1;
  return foldQuoted(text, start, end);
}

/**
 * A quoted scalar over several lines, folded as js-yaml folds it: blanks around each line break
 * go, one break becomes a space, n > 1 become n - 1 line feeds; in double quotes a `\` at the end
 * of a line joins the lines without a space.
 */
function foldQuoted(text: string, start: number, end: number): string {
  const double = text.charCodeAt(start) === 0x22;
  const lines = text.slice(start + 1, end - 1).split('\n');
  let out = '';
  let breaks = 0;
  let joined = false;
  for (let k = 0; k < lines.length; k += 1) {
    let line = lines[k] as string;
    if (line.endsWith('\r')) line = line.slice(0, -1);
    const last = k === lines.length - 1;
    if (k > 0) {
      line = line.slice(skipBlanks(line, 0));
      if (!last && line === '') {
        breaks += 1;
        continue;
      }
    }
    if (/^(?:---|\.\.\.)(?:[ \t]|$)/.test(lines[k] as string)) return outside(); // a document marker inside
    if (k > 0 && !joined) out += breaks === 1 ? ' ' : '\n'.repeat(breaks - 1);
    joined = false;
    breaks = 1;
    if (!last) {
      let trimmed = line.replace(/[ \t]+$/, '');
      const slashes = /\\*$/.exec(trimmed)?.[0].length ?? 0;
      if (double && slashes % 2 === 1) {
        if (trimmed.length < line.length) trimmed = line.slice(0, trimmed.length + 1); // an escaped blank
        else {
          trimmed = trimmed.slice(0, -1); // an escaped line break
          joined = true;
        }
      }
      line = trimmed;
    }
    out += double ? unescapeDouble(line) : line.replaceAll("''", "'");
  }
  return out;
}

const ESCAPES: Readonly<Record<string, string>> = {
  '0': '\0',
  a: '\x07',
  b: '\b',
  t: '\t',
  '\t': '\t',
  n: '\n',
  v: '\v',
  f: '\f',
  r: '\r',
  e: '\x1b',
  ' ': ' ',
  '"': '"',
  '/': '/',
  '\\': '\\',
  N: '\x85',
  _: '\xa0',
  L: '\u2028',
  P: '\u2029',
};

/** The value of the one-line quoted scalar in `text[start, end)` (quotes included). */
function unquote(text: string, start: number, end: number): string {
  const inner = text.slice(start + 1, end - 1);
  if (text.charCodeAt(start) === 0x27) return inner.includes("'") ? inner.replaceAll("''", "'") : inner;
  return inner.includes('\\') ? unescapeDouble(inner) : inner;
}

/** The escapes of a double-quoted scalar's text. */
function unescapeDouble(inner: string): string {
  let out = '';
  let i = 0;
  for (let slash = inner.indexOf('\\'); slash !== -1; slash = inner.indexOf('\\', i)) {
    out += inner.slice(i, slash);
    const code = inner[slash + 1] as string;
    const simple = ESCAPES[code];
    if (simple !== undefined) {
      out += simple;
      i = slash + 2;
      continue;
    }
    const digits = code === 'x' ? 2 : code === 'u' ? 4 : 0;
    const hex = inner.slice(slash + 2, slash + 2 + digits);
    if (digits === 0 || !/^[0-9a-fA-F]+$/.test(hex) || hex.length !== digits) return outside();
    const point = Number.parseInt(hex, 16);
    if (point >= 0xd800 && point <= 0xdfff) return outside();
    out += String.fromCharCode(point);
    i = slash + 2 + digits;
  }
  return out + inner.slice(i);
}
