/**
 * Canonical JSON (`canonicalJson`: keys sorted at every level) of JSON trees, written once: the
 * text of every object and array of 128 characters or more met on the way is kept as a slice of
 * its tree's text, so asking for a part of a tree already written costs a lookup, not another walk.
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
  /** `{"key":` and `,"key":` by key: schemas repeat a few dozen keys many times. */
  readonly #firstKeys = new Map<string, string>();
  readonly #nextKeys = new Map<string, string>();

  /** The canonical JSON of `value`. */
  textOf(value: JsonValue): string {
    if (typeof value !== 'object' || value === null) return primitiveText(value);
    const known = this.#known.get(value);
    if (known !== undefined) return known;
    const w: Writer = { parts: [], chunks: [], length: 0, kept: [], bounds: [], known: this.#known, firstKeys: this.#firstKeys, nextKeys: this.#nextKeys };
    write(w, value);
    w.chunks.push(w.parts.join(''));
    const text = w.chunks.length === 1 ? (w.chunks[0] as string) : w.chunks.join('');
    // texts are kept only once the tree's text exists: an object met twice in one tree (a YAML
    // alias) is simply written twice
    for (let i = 0; i < w.kept.length; i += 1) this.#known.set(w.kept[i] as object, text.slice(w.bounds[2 * i], w.bounds[2 * i + 1]));
    return text;
  }
}

/**
 * One tree being written: its parts, their total length, the objects to keep with their bounds,
 * and what is already known. A plain object handed to plain functions: the write runs once per
 * command, mostly before the JIT has compiled it, and private fields and methods cost more there.
 */
interface Writer {
  parts: string[];
  /** Parts already joined: a few long strings cost the scavenger less than many short ones. */
  readonly chunks: string[];
  length: number;
  readonly kept: object[];
  readonly bounds: number[];
  readonly known: ReadonlyMap<object, string>;
  readonly firstKeys: Map<string, string>;
  readonly nextKeys: Map<string, string>;
}

function write(w: Writer, node: JsonObject | JsonValue[]): void {
  const known = w.known.get(node);
  if (known !== undefined) {
    w.parts.push(known);
    w.length += known.length;
    return;
  }
  const start = w.length;
  if (Array.isArray(node)) {
    w.parts.push('[');
    w.length += 1;
    for (let i = 0; i < node.length; i += 1) {
      if (i > 0) {
        w.parts.push(',');
        w.length += 1;
      }
      writeValue(w, node[i]);
    }
    w.parts.push(']');
    w.length += 1;
  } else {
    const keys = sortStrings(Object.keys(node));
    let open = true;
    for (let i = 0; i < keys.length; i += 1) {
      const key = keys[i] as string;
      const child = node[key];
      if (child === undefined) continue;
      const cache = open ? w.firstKeys : w.nextKeys;
      let text = cache.get(key);
      if (text === undefined) {
        text = `${open ? '{' : ','}${JSON.stringify(key)}:`;
        cache.set(key, text);
      }
      w.parts.push(text);
      w.length += text.length;
      open = false;
      writeValue(w, child);
    }
    w.parts.push(open ? '{}' : '}');
    w.length += open ? 2 : 1;
  }
  if (w.parts.length >= CHUNK_PARTS) {
    w.chunks.push(w.parts.join(''));
    w.parts = [];
  }
  // small parts are cheaper to write again than to remember (most schema nodes are small)
  if (w.length - start >= MIN_KEPT) {
    w.kept.push(node);
    w.bounds.push(start, w.length);
  }
}

/** A child value (`undefined` only as an array item: object keys holding it are left out). */
function writeValue(w: Writer, value: JsonValue | undefined): void {
  if (typeof value === 'object' && value !== null) {
    write(w, value);
    return;
  }
  // most strings need no escape: the string itself goes in (JSON.stringify, called per string,
  // costs more than the one native scan that finds there is nothing to escape)
  if (typeof value === 'string' && !NEEDS_ESCAPE.test(value)) {
    w.parts.push('"', value, '"');
    w.length += value.length + 2;
    return;
  }
  const text = value === undefined ? 'null' : primitiveText(value);
  w.parts.push(text);
  w.length += text.length;
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
