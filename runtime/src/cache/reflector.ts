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
 * Applies watcher events to a store through its one writer: kube-rs' `reflector`.
 *
 * Guarantees:
 * - a relist is buffered and applied with one `replace`: readers never see a half-listed store;
 *   it yields deletes for keys that vanished and adds/updates for new keys and changed
 *   resourceVersions (unchanged objects yield nothing);
 * - `apply` of a known key yields an update with the previous object, unless its resourceVersion
 *   is unchanged; `delete` of a key not in the store yields nothing (no phantom deletes);
 * - every object is transformed, then (by default) deep-frozen, before it is stored or yielded; a
 *   transform that throws is reported to `onTransformError` and the object is kept as it is;
 * - each yielded step is already applied: the store's generation equals the event's `generation`
 *   until the next step is pulled.
 *
 * Caveats: errors thrown by `events` (a {@link KindNotServedError}) propagate to the consumer.
 */
export async function* reflector<T extends KubeObject>(
  writer: StoreWriter<T>,
  events: AsyncIterable<WatcherEvent<T>>,
  options: ReflectorOptions<T> = {},
): AsyncGenerator<ReflectorEvent<T>, void, undefined> {
  const transform: Transform<T> = options.transform ?? stripManagedFields;
  const freeze = options.freeze ?? true;
  const prepare = (object: T): T => {
    let out = object;
    try {
      out = transform(object);
    } catch (err) {
      options.onTransformError?.(err, object);
    }
    return freeze ? deepFreeze(out) : out;
  };
  const rv = (object: T): string => object.metadata?.resourceVersion ?? '';
  let buffer: T[] | undefined;
  for await (const event of events) {
    switch (event.type) {
      case 'init':
        buffer = [];
        break;
      case 'initPage':
        buffer ??= [];
        for (const object of event.objects) buffer.push(prepare(object));
        break;
      case 'initDone': {
        const changes = writer.replace(buffer ?? []);
        buffer = undefined;
        yield { type: 'changes', changes, generation: writer.store.generation, relist: true, resourceVersion: event.resourceVersion };
        break;
      }
      case 'apply': {
        const object = prepare(event.object);
        const key = objectKey(object);
        const previous = writer.store.get(key);
        if (previous && previous.metadata?.resourceVersion === object.metadata?.resourceVersion) break;
        writer.apply(object, key);
        const change: StoreChange<T> = previous ? { type: 'update', oldObject: previous, object } : { type: 'add', object };
        yield { type: 'changes', changes: [change], generation: writer.store.generation, relist: false, resourceVersion: rv(object) };
        break;
      }
      case 'delete': {
        const object = prepare(event.object);
        if (!writer.delete(objectKey(object))) break;
        yield { type: 'changes', changes: [{ type: 'delete', object }], generation: writer.store.generation, relist: false, resourceVersion: rv(object) };
        break;
      }
      case 'bookmark':
        yield { type: 'bookmark', resourceVersion: event.resourceVersion };
        break;
      case 'connected':
        yield { type: 'connected' };
        break;
      case 'error':
        if (event.next === 'list') buffer = undefined;
        yield { type: 'error', error: event.error, retryInMs: event.retryInMs, next: event.next };
        break;
    }
  }
}
