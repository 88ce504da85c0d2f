/**
 * Canonical JSON (`canonicalJson`: keys sorted at every level) of JSON trees, written once: the
 * text of every object and array met on the way is kept as a slice of its tree's text, so asking
 * for a part of a tree already written costs a lookup, not another walk.
 * @module
 */
import type { JsonObject, JsonValue } from './json.js';

/**
 * The canonical JSON texts of the JSON trees given to it, and of every object and array in them.
 *
 * Guarantees: `textOf(value)` is `canonicalJson(value)` character for character (object keys in
 * UTF-16 code-unit order, numbers and strings as `JSON.stringify` writes them), so equal texts
 * mean equal JSON data whatever the key order. A part of a tree already written is a slice of
 * that tree's text, not written again (parts under 128 characters are: that is cheaper than
 * remembering them).
 *
 * Caveats: the texts of written objects are remembered by object identity, so a tree must not be
 * changed after it (or any tree holding it) was written. It holds every text it wrote for as long
 * as it lives: keep one for one command's inputs. A key or array item holding `undefined` is
 * written as `JSON.stringify` writes it (the key left out, the item as `null`).
 */
export class CanonicalTexts {
  /** The text of every written object or array that is long enough to keep: a slice of its tree's. */
  readonly #known = new Map<object, string>();

  /** The canonical JSON of `value`. */
  textOf(value: JsonValue): string {
    if (typeof value !== 'object' || value === null) return primitiveText(value);
    const known = this.#known.get(value);
    if (known !== undefined) return known;
    parts = [];
    chunks = [];
    length = 0;
    kept = [];
    bounds = [];
    known_ = this.#known;
    try {
      write(value);
      chunks.push(parts.join(''));
      const text = chunks.length === 1 ? (chunks[0] as string) : chunks.join('');
      // texts are kept only once the tree's text exists: an object met twice in one tree (a YAML
      // alias) is simply written twice
      for (let i = 0; i < kept.length; i += 1) this.#known.set(kept[i] as object, text.slice(bounds[2 * i], bounds[2 * i + 1]));
      return text;
    } finally {
      parts = [];
      chunks = [];
      kept = [];
      bounds = [];
      known_ = EMPTY;
    }
  }
}

// The tree being written (one at a time: nothing in a write calls out): its parts, their total
// length, the objects to keep with their bounds, and the texts already known. Module variables,
// not fields: the write runs once per command, mostly before the JIT has compiled it, and these
// are the cheapest to reach from unoptimized code.
let parts: string[] = [];
/** Parts already joined: a few long strings cost the scavenger less than many short ones. */
let chunks: string[] = [];
let length = 0;
let kept: object[] = [];
let bounds: number[] = [];
const EMPTY: ReadonlyMap<object, string> = new Map();
let known_: ReadonlyMap<object, string> = EMPTY;
/** `{"key":` and `,"key":` by key: schemas repeat a few dozen keys many times. */
const FIRST_KEYS = new Map<string, string>();
const NEXT_KEYS = new Map<string, string>();

function write(node: JsonObject | JsonValue[]): void {
  const known = known_.get(node);
  if (known !== undefined) {
    parts.push(known);
    length += known.length;
    return;
  }
  const start = length;
  if (Array.isArray(node)) {
    parts.push('[');
    length += 1;
    for (let i = 0; i < node.length; i += 1) {
      if (i > 0) {
        parts.push(',');
        length += 1;
      }
      writeValue(node[i]);
    }
    parts.push(']');
    length += 1;
  } else {
    const keys = sortStrings(Object.keys(node));
    let open = true;
    for (let i = 0; i < keys.length; i += 1) {
      const key = keys[i] as string;
      const child = node[key];
      if (child === undefined) continue;
      const cache = open ? FIRST_KEYS : NEXT_KEYS;
      let text = cache.get(key);
      if (text === undefined) {
        text = `${open ? '{' : ','}${JSON.stringify(key)}:`;
        cache.set(key, text);
      }
      parts.push(text);
      length += text.length;
      open = false;
      writeValue(child);
    }
    parts.push(open ? '{}' : '}');
    length += open ? 2 : 1;
  }
  if (parts.length >= CHUNK_PARTS) {
    chunks.push(parts.join(''));
    parts = [];
  }
  // small parts are cheaper to write again than to remember (most schema nodes are small)
  if (length - start >= MIN_KEPT) {
    kept.push(node);
    bounds.push(start, length);
  }
}

/** A child value (`undefined` only as an array item: object keys holding it are left out). */
function writeValue(value: JsonValue | undefined): void {
  if (typeof value === 'object' && value !== null) {
    write(value);
    return;
  }
  // most strings need no escape: the string itself goes in (JSON.stringify, called per string,
  // costs more than the one native scan that finds there is nothing to escape)
  if (typeof value === 'string' && !NEEDS_ESCAPE.test(value)) {
    parts.push('"', value, '"');
    length += value.length + 2;
    return;
  }
  const text = value === undefined ? 'null' : primitiveText(value);
  parts.push(text);
  length += text.length;
}

/** Parts joined into one chunk as the write goes. */
const CHUNK_PARTS = 2048;

/** Objects and arrays whose text is shorter are not remembered, only written (again if asked for). */
const MIN_KEPT = 128;

/** What JSON.stringify escapes in a string (any surrogate, to let it decide about lone ones). */
// eslint-disable-next-line no-control-regex -- the control characters JSON escapes are what it finds
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

/** A string, number, boolean or null as JSON writes it. */
function primitiveText(value: string | number | boolean | null): string {
  if (typeof value === 'string') return JSON.stringify(value);
  // what JSON.stringify writes, without a native call: 0 and -0 both '0', NaN and ±Infinity 'null'
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : 'null';
  return value === null ? 'null' : value ? 'true' : 'false';
}

/** Lists up to this long are sorted by insertion: `Array.prototype.sort` allocates its own state (a few hundred bytes) per call. */
const INSERTION_SORT_MAX = 16;

/**
 * Sorts `strings` in place by UTF-16 code units, as `strings.sort()` does, and returns it.
 * Guarantees: the same order as `Array.prototype.sort()` without a comparator for strings; short
 * lists (object keys, mostly) allocate nothing.
 */
function sortStrings(strings: string[]): string[] {
  if (strings.length > INSERTION_SORT_MAX) {
    for (let i = 1; i < strings.length; i += 1) if (!((strings[i - 1] as string) < (strings[i] as string))) return strings.sort();
    return strings;
  }
  for (let i = 1; i < strings.length; i += 1) {
    const item = strings[i] as string;
    let j = i - 1;
    while (j >= 0 && (strings[j] as string) > item) {
      strings[j + 1] = strings[j] as string;
      j -= 1;
    }
    strings[j + 1] = item;
  }
  return strings;
}
