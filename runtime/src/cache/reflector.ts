import type { KubeObject } from '../api/resource.js';
import type { WatchError } from '../watch/errors.js';
import type { WatcherEvent } from '../watch/watcher.js';
import { objectKey, type StoreChange, type StoreWriter } from './store.js';
import { deepFreeze, stripManagedFields, type Transform } from './transform.js';

/** Options of {@link reflector}. */
export interface ReflectorOptions<T extends KubeObject> {
  /** Applied to every object before it is stored (default {@link stripManagedFields}). */
  readonly transform?: Transform<T>;
  /**
   * Deep-freeze stored objects so readers cannot corrupt the cache (default true). With `false`
   * objects are stored as they are and readers must treat them as read-only by convention.
   */
  readonly freeze?: boolean;
  /** Receives an exception thrown by `transform`; the object is then stored untransformed (default: ignored). */
  readonly onTransformError?: (error: unknown, object: T) => void;
}

/**
 * What a {@link reflector} yields after each step it applied to the store.
 *
 * - `changes`: the store changed by `changes`, and now has `generation`; `relist` is true when the
 *   step was a (re)list replacing the whole store (the first one marks the store synced);
 * - `bookmark`: the watch is at `resourceVersion`, nothing changed;
 * - `connected`: a watch connection opened (the server answered), events can flow;
 * - `error`: the watcher's retry notice, passed through.
 */
export type ReflectorEvent<T extends KubeObject> =
  | {
      readonly type: 'changes';
      readonly changes: readonly StoreChange<T>[];
      readonly generation: number;
      readonly relist: boolean;
      /** The list's resourceVersion, or the changed object's. */
      readonly resourceVersion: string;
    }
  | { readonly type: 'bookmark'; readonly resourceVersion: string }
  | { readonly type: 'connected' }
  | { readonly type: 'error'; readonly error: WatchError; readonly retryInMs: number; readonly next: 'list' | 'watch' };

/**
 * Applies watcher events to a store through its one writer, one synchronous step per event: the
 * part of kube-rs' `reflector` that the shared informer runs inside the watch connection's data
 * callback, and that {@link reflector} runs per pulled event.
 *
 * Guarantees:
 * - a relist is buffered and applied with one `replace`: readers never see a half-listed store;
 *   it reports deletes for keys that vanished and adds/updates for new keys and changed
 *   resourceVersions (unchanged objects report nothing);
 * - `apply` of a known key reports an update with the previous object, unless its resourceVersion
 *   is unchanged; `delete` of a key not in the store reports nothing (no phantom deletes);
 * - every object is transformed, then (by default) deep-frozen, before it is stored or reported;
 *   a transform that throws is reported to `onTransformError` and the object is kept as it is;
 * - {@link Reflector.step} returns after the store changed: the store's generation equals the
 *   returned event's `generation`.
 */
export class Reflector<T extends KubeObject> {
  readonly #writer: StoreWriter<T>;
  readonly #transform: Transform<T>;
  readonly #freeze: boolean;
  readonly #onTransformError: ((error: unknown, object: T) => void) | undefined;
  /** The objects of a (re)list in progress. */
  #buffer: T[] | undefined;

  constructor(writer: StoreWriter<T>, options: ReflectorOptions<T> = {}) {
    this.#writer = writer;
    this.#transform = options.transform ?? stripManagedFields;
    this.#freeze = options.freeze ?? true;
    this.#onTransformError = options.onTransformError;
  }

  #prepare(object: T): T {
    let out = object;
    try {
      out = this.#transform(object);
    } catch (err) {
      this.#onTransformError?.(err, object);
    }
    return this.#freeze ? deepFreeze(out) : out;
  }

  /** Applies one watcher event; returns what changed (undefined: nothing to report). */
  step(event: WatcherEvent<T>): ReflectorEvent<T> | undefined {
    const writer = this.#writer;
    switch (event.type) {
      case 'apply': {
        const object = this.#prepare(event.object);
        const key = objectKey(object);
        const previous = writer.store.get(key);
        const resourceVersion = object.metadata?.resourceVersion ?? '';
        if (previous && previous.metadata?.resourceVersion === resourceVersion) return undefined;
        writer.apply(object, key);
        const change: StoreChange<T> = previous ? { type: 'update', oldObject: previous, object } : { type: 'add', object };
        return { type: 'changes', changes: [change], generation: writer.store.generation, relist: false, resourceVersion };
      }
      case 'delete': {
        const object = this.#prepare(event.object);
        if (!writer.delete(objectKey(object))) return undefined;
        return { type: 'changes', changes: [{ type: 'delete', object }], generation: writer.store.generation, relist: false, resourceVersion: object.metadata?.resourceVersion ?? '' };
      }
      case 'init':
        this.#buffer = [];
        return undefined;
      case 'initPage': {
        const buffer = (this.#buffer ??= []);
        for (const object of event.objects) buffer.push(this.#prepare(object));
        return undefined;
      }
      case 'initDone': {
        const changes = writer.replace(this.#buffer ?? []);
        this.#buffer = undefined;
        return { type: 'changes', changes, generation: writer.store.generation, relist: true, resourceVersion: event.resourceVersion };
      }
      case 'bookmark':
        return { type: 'bookmark', resourceVersion: event.resourceVersion };
      case 'connected':
        return { type: 'connected' };
      case 'error':
        if (event.next === 'list') this.#buffer = undefined;
        return { type: 'error', error: event.error, retryInMs: event.retryInMs, next: event.next };
    }
  }
}

/**
 * Applies watcher events to a store through its one writer: kube-rs' `reflector`, as an async
 * generator over {@link Reflector}.
 *
 * Guarantees: those of {@link Reflector}; besides, each yielded step is already applied: the
 * store's generation equals the event's `generation` until the next step is pulled.
 *
 * Caveats: errors thrown by `events` (a {@link KindNotServedError}) propagate to the consumer.
 */
export async function* reflector<T extends KubeObject>(
  writer: StoreWriter<T>,
  events: AsyncIterable<WatcherEvent<T>>,
  options: ReflectorOptions<T> = {},
): AsyncGenerator<ReflectorEvent<T>, void, undefined> {
  const core = new Reflector(writer, options);
  for await (const event of events) {
    const out = core.step(event);
    if (out) yield out;
  }
}
