import type { JsonObject, JsonValue } from '../shared/json.js';

/**
 * Gives every distinct JSON subtree a small number, so that equal subtrees (anywhere in a schema)
 * get equal numbers. Each node's text mentions its children by number, so numbering a schema is
 * linear in its size.
 */
export class NodeIds {
  readonly #byText = new Map<string, number>();
  readonly #byObject = new WeakMap<object, number>();
  /** Strings (keys and values) by number, so a node's text holds `s12`, not a long description. */
  readonly #strings = new Map<string, number>();

  /** The number of a JSON object or array; equal content gives an equal number. */
  id(value: JsonObject | JsonValue[]): number {
    const known = this.#byObject.get(value);
    if (known !== undefined) return known;
    const text = Array.isArray(value)
      ? `[${value.map((item) => this.#token(item)).join(',')}]`
      : `{${Object.keys(value).sort().map((key) => `${this.#string(key)}:${this.#token(value[key] as JsonValue)}`).join(',')}}`;
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
    return typeof value === 'object' && value !== null ? `#${this.id(value)}` : JSON.stringify(value);
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
