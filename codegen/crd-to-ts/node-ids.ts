import { CanonicalTexts } from '../shared/canonical-texts.js';
import type { JsonObject, JsonValue } from '../shared/json.js';

/**
 * Gives every distinct JSON subtree a small number, so that equal subtrees (anywhere in a schema,
 * whatever their key order) get equal numbers: the number of a subtree's canonical JSON text.
 *
 * Guarantees: two subtrees get one number exactly when `canonicalJson` gives them one text.
 * Caveats: as {@link CanonicalTexts}, a subtree must not change once numbered.
 */
export class NodeIds {
  readonly #texts: CanonicalTexts;
  readonly #byText = new Map<string, number>();

  /** `texts`: shared with whatever else needs the same trees' canonical JSON (the source hash). */
  constructor(texts: CanonicalTexts = new CanonicalTexts()) {
    this.#texts = texts;
  }

  /** The number of a JSON object or array; equal content gives an equal number. */
  id(value: JsonObject | JsonValue[]): number {
    const text = this.#texts.textOf(value);
    let id = this.#byText.get(text);
    if (id === undefined) {
      id = this.#byText.size;
      this.#byText.set(text, id);
    }
    return id;
  }
}
