interface Entry {
  readonly key: string;
  readyAt: number;
  seq: number;
  index: number;
}

/**
 * A binary min-heap of keys ordered by ready time (then by insertion order), indexed by key so a
 * key is held at most once and can be moved up in O(log n).
 * @internal
 */
export class ReadyHeap {
  readonly #heap: Entry[] = [];
  readonly #byKey = new Map<string, Entry>();
  #seq = 0;

  /** Number of keys waiting. */
  get size(): number {
    return this.#heap.length;
  }

  /** The earliest ready time, or `undefined` when empty. */
  peekReadyAt(): number | undefined {
    return this.#heap[0]?.readyAt;
  }

  /**
   * Schedules `key` at `readyAt`, or moves it to `readyAt` if it is already waiting with a later
   * time; a later `readyAt` than the one held is ignored.
   */
  pushEarliest(key: string, readyAt: number): void {
    const entry = this.#byKey.get(key);
    if (entry === undefined) {
      const added: Entry = { key, readyAt, seq: this.#seq++, index: this.#heap.length };
      this.#heap.push(added);
      this.#byKey.set(key, added);
      this.#up(added.index);
    } else if (readyAt < entry.readyAt) {
      entry.readyAt = readyAt;
      entry.seq = this.#seq++;
      this.#up(entry.index);
    }
  }

  /** Removes and returns the earliest key if it is ready at `now`, else `undefined`. */
  popReady(now: number): string | undefined {
    const top = this.#heap[0];
    if (top === undefined || top.readyAt > now) return undefined;
    const last = this.#heap.pop();
    if (last !== undefined && last !== top) {
      last.index = 0;
      this.#heap[0] = last;
      this.#down(0);
    }
    this.#byKey.delete(top.key);
    return top.key;
  }

  /** Removes every key. */
  clear(): void {
    this.#heap.length = 0;
    this.#byKey.clear();
  }

  #less(a: Entry, b: Entry): boolean {
    return a.readyAt < b.readyAt || (a.readyAt === b.readyAt && a.seq < b.seq);
  }

  #up(index: number): void {
    const heap = this.#heap;
    const entry = heap[index] as Entry;
    while (index > 0) {
      const parentIndex = (index - 1) >>> 1;
      const parent = heap[parentIndex] as Entry;
      if (!this.#less(entry, parent)) break;
      heap[index] = parent;
      parent.index = index;
      index = parentIndex;
    }
    heap[index] = entry;
    entry.index = index;
  }

  #down(index: number): void {
    const heap = this.#heap;
    const n = heap.length;
    const entry = heap[index] as Entry;
    for (;;) {
      const left = 2 * index + 1;
      if (left >= n) break;
      const right = left + 1;
      let child = left;
      if (right < n && this.#less(heap[right] as Entry, heap[left] as Entry)) child = right;
      const smaller = heap[child] as Entry;
      if (!this.#less(smaller, entry)) break;
      heap[index] = smaller;
      smaller.index = index;
      index = child;
    }
    heap[index] = entry;
    entry.index = index;
  }
}
