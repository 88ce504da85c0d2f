import type { KubeObject } from '../api/resource.js';
import type { IndexFunc, ReadonlyStore } from './types.js';

/** The name of the built-in index: objects by `metadata.namespace` (`''` for cluster-scoped objects). */
export const NAMESPACE_INDEX = 'namespace';

/** `namespace/name`, or `name` for a cluster-scoped object: the store's key. */
export function objectKey(object: KubeObject): string {
  const name = object.metadata?.name ?? '';
  const namespace = object.metadata?.namespace;
  return namespace ? `${namespace}/${name}` : name;
}

/** The built-in {@link NAMESPACE_INDEX} function. */
const byNamespace = (object: KubeObject): readonly string[] => [object.metadata?.namespace ?? ''];

/** One change a write made to a {@link Store}, in the order it was made. */
export type StoreChange<T extends KubeObject> =
  | { readonly type: 'add'; readonly object: T }
  | { readonly type: 'update'; readonly oldObject: T; readonly object: T }
  | { readonly type: 'delete'; readonly object: T };

/** Options of {@link createStore}. */
export interface StoreOptions<T extends KubeObject> {
  /** Indexes by name, besides the built-in {@link NAMESPACE_INDEX} (default none). */
  readonly indexers?: Readonly<Record<string, IndexFunc<T>>>;
}


/** @internal Shared state of a store and its writer. */
export class StoreState<T extends KubeObject> {
  items = new Map<string, T>();
  readonly indexers = new Map<string, IndexFunc<T>>();
  /** index name → index value → keys. */
  indices = new Map<string, Map<string, Set<string>>>();
  generation = 0;

  valuesOf(fn: IndexFunc<T>, object: T): readonly string[] {
    try {
      return fn(object);
    } catch {
      return [];
    }
  }

  index(name: string, fn: IndexFunc<T>, key: string, object: T): void {
    let index = this.indices.get(name);
    if (!index) this.indices.set(name, (index = new Map()));
    for (const value of this.valuesOf(fn, object)) {
      let keys = index.get(value);
      if (!keys) index.set(value, (keys = new Set()));
      keys.add(key);
    }
  }

  unindex(name: string, fn: IndexFunc<T>, key: string, object: T): void {
    const index = this.indices.get(name);
    if (!index) return;
    for (const value of this.valuesOf(fn, object)) {
      const keys = index.get(value);
      if (!keys) continue;
      keys.delete(key);
      if (keys.size === 0) index.delete(value);
    }
  }
}

/**
 * The read side of an informer's store: a map of `namespace/name` → object with indexes.
 *
 * Guarantees: every read sees a consistent state (writes happen in one synchronous step each, a
 * relist included); `list()` and `byIndex()` return fresh arrays the caller may keep.
 * Caveats: the objects themselves are shared with every other reader. The informer deep-freezes
 * them (see `freeze` in the reflector options), so a mutation throws; clone (`structuredClone`)
 * before changing one. Reads cost nothing per object: no deep copies are made.
 */
export class Store<T extends KubeObject> implements ReadonlyStore<T> {
  readonly #state: StoreState<T>;

  /** @internal Use {@link createStore}. */
  constructor(state: StoreState<T>) {
    this.#state = state;
  }

  get(key: string): T | undefined {
    return this.#state.items.get(key);
  }

  list(): T[] {
    return [...this.#state.items.values()];
  }

  /** @throws Error when no index `indexName` exists. */
  byIndex(indexName: string, value: string): T[] {
    if (!this.#state.indexers.has(indexName)) throw new Error(`the store has no index "${indexName}"`);
    const keys = this.#state.indices.get(indexName)?.get(value);
    if (!keys) return [];
    const out: T[] = [];
    for (const key of keys) {
      const object = this.#state.items.get(key);
      if (object) out.push(object);
    }
    return out;
  }

  /** Whether an index named `indexName` exists. */
  hasIndex(indexName: string): boolean {
    return this.#state.indexers.has(indexName);
  }

  /** The index function registered as `indexName`, if any. */
  indexFunc(indexName: string): IndexFunc<T> | undefined {
    return this.#state.indexers.get(indexName);
  }

  keys(): string[] {
    return [...this.#state.items.keys()];
  }

  get size(): number {
    return this.#state.items.size;
  }

  /** Increases with every write; lets consumers tell which writes a snapshot already reflects. */
  get generation(): number {
    return this.#state.generation;
  }
}

/**
 * The one writer of a {@link Store}. Only the reflector holds it.
 *
 * Guarantees: each method is one synchronous step that updates items and every index together and
 * bumps the store's generation once.
 * Caveats: index functions must be pure; one that throws leaves that object out of that index.
 */
export class StoreWriter<T extends KubeObject> {
  readonly #state: StoreState<T>;
  /** The read side. */
  readonly store: Store<T>;

  /** @internal Use {@link createStore}. */
  constructor(state: StoreState<T>) {
    this.#state = state;
    this.store = new Store(state);
  }

  /**
   * Adds or replaces `object`; returns the object it replaced, if any. `key` must be
   * `objectKey(object)` (pass it when you have it already).
   */
  apply(object: T, key: string = objectKey(object)): T | undefined {
    const s = this.#state;
    const previous = s.items.get(key);
    for (const [name, fn] of s.indexers) {
      // an update in place (the usual watch event) keeps its namespace: nothing to re-index
      if (previous && fn === byNamespace && previous.metadata?.namespace === object.metadata?.namespace) continue;
      if (previous) s.unindex(name, fn, key, previous);
      s.index(name, fn, key, object);
    }
    s.items.set(key, object);
    s.generation++;
    return previous;
  }

  /** Removes the object with `key`; returns it, or undefined when there was none. */
  delete(key: string): T | undefined {
    const s = this.#state;
    const previous = s.items.get(key);
    if (!previous) return undefined;
    for (const [name, fn] of s.indexers) s.unindex(name, fn, key, previous);
    s.items.delete(key);
    s.generation++;
    return previous;
  }

  /**
   * Replaces the whole content with `objects` in one step (a relist) and returns the difference:
   * deletes for keys that vanished, adds for new keys, updates for keys whose resourceVersion
   * changed. Objects whose resourceVersion did not change keep their stored instance.
   */
  replace(objects: Iterable<T>): StoreChange<T>[] {
    const s = this.#state;
    const old = s.items;
    const next = new Map<string, T>();
    const changes: StoreChange<T>[] = [];
    for (const object of objects) {
      const key = objectKey(object);
      const previous = old.get(key);
      if (!previous) {
        next.set(key, object);
        changes.push({ type: 'add', object });
      } else if (previous.metadata?.resourceVersion !== object.metadata?.resourceVersion) {
        next.set(key, object);
        changes.push({ type: 'update', oldObject: previous, object });
      } else {
        next.set(key, previous);
      }
    }
    const deletes: StoreChange<T>[] = [];
    for (const [key, object] of old) if (!next.has(key)) deletes.push({ type: 'delete', object });
    s.items = next;
    s.indices = new Map();
    for (const [name, fn] of s.indexers) for (const [key, object] of next) s.index(name, fn, key, object);
    s.generation++;
    return deletes.length === 0 ? changes : deletes.concat(changes);
  }

  /** Adds (or replaces) an index and builds it over the current content; allowed at any time. */
  addIndex(name: string, fn: IndexFunc<T>): void {
    const s = this.#state;
    s.indexers.set(name, fn);
    s.indices.delete(name);
    s.indices.set(name, new Map());
    for (const [key, object] of s.items) s.index(name, fn, key, object);
  }
}

/**
 * A store and its one writer: kube-rs' `reflector::store()`. Keep the writer private to the
 * component that applies watch events; hand out `store`.
 */
export function createStore<T extends KubeObject>(options: StoreOptions<T> = {}): { store: Store<T>; writer: StoreWriter<T> } {
  const state = new StoreState<T>();
  const writer = new StoreWriter(state);
  writer.addIndex(NAMESPACE_INDEX, byNamespace);
  for (const [name, fn] of Object.entries(options.indexers ?? {})) writer.addIndex(name, fn);
  return { store: writer.store, writer };
}
