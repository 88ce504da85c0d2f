import type { JsonObject, JsonValue } from '../shared/json.js';

/**
 * Gives every distinct JSON subtree a small number, so that equal subtrees (anywhere in a schema)
 * get equal numbers. Each node's text mentions its children by number, so numbering a schema is
 * linear in its size.
 */
export class NodeIds {
  readonly #byText = new Map<string, number>();
  /** A Map, not a WeakMap: a NodeIds lives as long as one kind's build, and a Map is cheaper to use and to collect. */
  readonly #byObject = new Map<object, number>();
  /** Strings (keys and values) by number, so a node's text holds `s12`, not a long description. */
  readonly #strings = new Map<string, number>();

  /** The number of a JSON object or array; equal content gives an equal number. */
  id(value: JsonObject | JsonValue[]): number {
    const known = this.#byObject.get(value);
    if (known !== undefined) return known;
    let text: string;
    if (Array.isArray(value)) {
      text = '[';
      for (let i = 0; i < value.length; i += 1) text += `${i === 0 ? '' : ','}${this.#token(value[i] as JsonValue)}`;
      text += ']';
    } else {
      const keys = Object.keys(value);
      // parsed schemas mostly have sorted keys already: sort only when they are not
      for (let i = 1; i < keys.length; i += 1) {
        if (!((keys[i - 1] as string) < (keys[i] as string))) {
          keys.sort();
          break;
        }
      }
      text = '{';
      for (let i = 0; i < keys.length; i += 1) {
        const key = keys[i] as string;
        text += `${i === 0 ? '' : ','}${this.#string(key)}:${this.#token(value[key] as JsonValue)}`;
      }
      text += '}';
    }
    let id = this.#byText.get(text);
    if (id === undefined) {
      id = this.#byText.size;
      this.#byText.set(text, id);
    }
    this.#byObject.set(value, id);
    return id;
  }

  #token(value: JsonValue): string {
    if (typeof value === 'string') return this.#string(value);
    if (typeof value === 'object') return value === null ? 'null' : `#${this.id(value)}`;
    // what JSON.stringify writes, without its cost per call (0 and -0 both '0'; never NaN in JSON)
    if (typeof value === 'number') return Number.isFinite(value) ? String(value) : 'null';
    return value ? 'true' : 'false';
  }

  #string(text: string): string {
    let id = this.#strings.get(text);
    if (id === undefined) {
      id = this.#strings.size;
      this.#strings.set(text, id);
    }
    return `s${id}`;
  }
}
