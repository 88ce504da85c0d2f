/**
 * Splits a watch stream's text into lines as chunks arrive, without joining chunks that hold
 * whole lines: each line is a slice of its chunk, and only a line that spans chunks is joined.
 *
 * Guarantees: `onLine` gets every non-blank line once, in order, without its `\n` (and without a
 * trailing `\r`); `end()` hands over a last line that had no `\n`. Caveats: not re-entrant — do not
 * call `push` from `onLine`; `onLine` may stop the splitting of the current chunk by returning
 * `false` (the rest of the chunk is dropped: the stream is being ended).
 */
export class LineSplitter {
  readonly #onLine: (line: string) => boolean;
  /** The start of a line that has no `\n` yet. */
  #partial = '';

  constructor(onLine: (line: string) => boolean) {
    this.#onLine = onLine;
  }

  /** Splits `chunk`; returns false when `onLine` asked to stop. */
  push(chunk: string): boolean {
    let start = 0;
    let newline = chunk.indexOf('\n');
    if (newline === -1) {
      this.#partial += chunk;
      return true;
    }
    if (this.#partial !== '') {
      const line = this.#partial + chunk.slice(0, newline);
      this.#partial = '';
      if (!this.#emit(line)) return false;
      start = newline + 1;
      newline = chunk.indexOf('\n', start);
    }
    while (newline !== -1) {
      if (newline > start && !this.#emit(chunk.slice(start, newline))) return false;
      start = newline + 1;
      newline = chunk.indexOf('\n', start);
    }
    if (start < chunk.length) this.#partial = chunk.slice(start);
    return true;
  }

  /** The stream ended: hands over the last line if it had no `\n`. */
  end(): void {
    const rest = this.#partial;
    this.#partial = '';
    if (rest !== '') this.#emit(rest);
  }

  #emit(line: string): boolean {
    const last = line.length - 1;
    const text = line.charCodeAt(last) === 13 ? line.slice(0, last) : line;
    // a blank line (whitespace only) is a keep-alive, not an event
    if (text.length === 0 || (text.charCodeAt(0) <= 32 && text.trim() === '')) return true;
    return this.#onLine(text);
  }
}
