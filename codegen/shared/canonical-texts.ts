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
 * mean equal JSON data whatever the key order. Each object or array is walked at most once
 * across calls: a part of a tree already written is a slice of that tree's text.
 *
 * Caveats: the texts of written objects are remembered by object identity, so a tree must not be
 * changed after it (or any tree holding it) was written. It holds every text it wrote for as long
 * as it lives: keep one for one command's inputs. A key or array item holding `undefined` is
 * written as `JSON.stringify` writes it (the key left out, the item as `null`).
 */
export class CanonicalTexts {
  /** Each written object's span: an index into the three lists below. */
  readonly #spans = new Map<object, number>();
  readonly #spanText: number[] = [];
  readonly #spanStart: number[] = [];
  readonly #spanEnd: number[] = [];
  readonly #texts: string[] = [];
  /** `"key":` by key: a schema repeats a few dozen keys many times. */
  readonly #keys = new Map<string, string>();
  // the tree being written: its parts, their total length, and the objects met with their bounds
  #parts: string[] = [];
  #length = 0;
  #met: object[] = [];
  #bounds: number[] = [];

  /** The canonical JSON of `value`. */
  textOf(value: JsonValue): string {
    if (typeof value !== 'object' || value === null) return primitiveText(value);
    const known = this.#spans.get(value);
    if (known !== undefined) return this.#slice(known);
    this.#parts = [];
    this.#length = 0;
    this.#met = [];
    this.#bounds = [];
    try {
      this.#write(value);
      const text = this.#parts.join('');
      const index = this.#texts.push(text) - 1;
      // spans are kept only once the text exists: an object met twice in one tree (a YAML alias)
      // is simply written twice
      for (let i = 0; i < this.#met.length; i += 1) {
        this.#spans.set(this.#met[i] as object, this.#spanText.push(index) - 1);
        this.#spanStart.push(this.#bounds[2 * i] as number);
        this.#spanEnd.push(this.#bounds[2 * i + 1] as number);
      }
      return text;
    } finally {
      this.#parts = [];
      this.#met = [];
      this.#bounds = [];
    }
  }

  #slice(span: number): string {
    return (this.#texts[this.#spanText[span] as number] as string).slice(this.#spanStart[span], this.#spanEnd[span]);
  }

  #push(part: string): void {
    this.#parts.push(part);
    this.#length += part.length;
  }

  #write(node: JsonObject | JsonValue[]): void {
    const known = this.#spans.get(node);
    if (known !== undefined) {
      this.#push(this.#slice(known));
      return;
    }
    const at = this.#met.push(node) - 1;
    this.#bounds.push(this.#length, 0);
    if (Array.isArray(node)) {
      this.#push('[');
      for (let i = 0; i < node.length; i += 1) {
        if (i > 0) this.#push(',');
        this.#value(node[i]);
      }
      this.#push(']');
    } else {
      const keys = sortStrings(Object.keys(node));
      this.#push('{');
      let first = true;
      for (let i = 0; i < keys.length; i += 1) {
        const key = keys[i] as string;
        const child = node[key];
        if (child === undefined) continue;
        if (!first) this.#push(',');
        first = false;
        let quoted = this.#keys.get(key);
        if (quoted === undefined) {
          quoted = `${JSON.stringify(key)}:`;
          this.#keys.set(key, quoted);
        }
        this.#push(quoted);
        this.#value(child);
      }
      this.#push('}');
    }
    this.#bounds[2 * at + 1] = this.#length;
  }

  /** A child value (`undefined` only as an array item: object keys holding it are left out). */
  #value(value: JsonValue | undefined): void {
    if (typeof value === 'object' && value !== null) this.#write(value);
    else this.#push(value === undefined ? 'null' : primitiveText(value));
  }
}

/** What JSON.stringify escapes in a string (any surrogate, to let it decide about lone ones). */
// eslint-disable-next-line no-control-regex -- the control characters JSON escapes are what it finds
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

/** A string, number, boolean or null as JSON writes it. */
function primitiveText(value: string | number | boolean | null): string {
  // most strings need no escape: quoting them links the string in, where JSON.stringify copies it
  if (typeof value === 'string') return NEEDS_ESCAPE.test(value) ? JSON.stringify(value) : `"${value}"`;
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
