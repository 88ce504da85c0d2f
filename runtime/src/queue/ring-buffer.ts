const MIN_CAPACITY = 16;

/**
 * A growable FIFO on a power-of-two circular array: `push` and `shift` are O(1) amortised, unlike
 * `Array.prototype.shift`, which is O(n) on large arrays.
 *
 * Guarantees: the backing array doubles when full and halves when a quarter full (never below 16
 * slots), so a burst of a million keys does not pin its memory once the queue is drained.
 * @internal
 */
export class RingBuffer<T> {
  #items: (T | undefined)[] = new Array<T | undefined>(MIN_CAPACITY);
  #mask = MIN_CAPACITY - 1;
  #head = 0;
  #length = 0;

  /** Number of items in the buffer. */
  get length(): number {
    return this.#length;
  }

  /** Appends `item` at the tail. */
  push(item: T): void {
    if (this.#length === this.#items.length) this.#resize(this.#items.length * 2);
    this.#items[(this.#head + this.#length) & this.#mask] = item;
    this.#length++;
  }

  /** Removes and returns the head, or `undefined` when empty. */
  shift(): T | undefined {
    if (this.#length === 0) return undefined;
    const item = this.#items[this.#head];
    this.#items[this.#head] = undefined;
    this.#head = (this.#head + 1) & this.#mask;
    this.#length--;
    if (this.#items.length > MIN_CAPACITY && this.#length <= this.#items.length >>> 2) {
      this.#resize(this.#items.length >>> 1);
    }
    return item;
  }

  /** Removes every item. */
  clear(): void {
    this.#items = new Array<T | undefined>(MIN_CAPACITY);
    this.#mask = MIN_CAPACITY - 1;
    this.#head = 0;
    this.#length = 0;
  }

  #resize(capacity: number): void {
    const next = new Array<T | undefined>(capacity);
    for (let i = 0; i < this.#length; i++) next[i] = this.#items[(this.#head + i) & this.#mask];
    this.#items = next;
    this.#mask = capacity - 1;
    this.#head = 0;
  }
}
