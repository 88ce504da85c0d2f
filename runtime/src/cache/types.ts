import type { KubeObject, Resource } from '../api/resource.js';
import type { Reader } from '../client/client.js';
import type { InformerScope } from '../watch/scope.js';

export type { InformerScope };

/**
 * Contract between the shared informer cache (runtime/src/cache) and its users (controllers,
 * manager). Implementations live next to this file.
 */

/** Receives changes to cached objects. Handlers must be fast and must not throw. */
export interface EventHandler<T extends KubeObject> {
  onAdd?(object: T): void;
  onUpdate?(oldObject: T, newObject: T): void;
  /** The last known state of the deleted object. */
  onDelete?(object: T): void;
}

/** A registered handler; `remove()` unregisters it. */
export interface HandlerRegistration {
  remove(): void;
}

/**
 * Read-only view of an informer's store. Keys are `namespace/name` (or `name` when cluster-scoped).
 * Objects are shared by every reader and deep-frozen by the runtime's cache: clone before changing.
 */
export interface ReadonlyStore<T extends KubeObject> {
  get(key: string): T | undefined;
  list(): T[];
  /** Objects whose index `indexName` yields `value`; the built-in `namespace` index is always present. */
  byIndex(indexName: string, value: string): T[];
  keys(): string[];
  readonly size: number;
}

/** A shared informer: one list+watch of one kind and scope, a store, and handlers. */
export interface Informer<T extends KubeObject> {
  readonly resource: Resource<T>;
  readonly scope: InformerScope;
  readonly store: ReadonlyStore<T>;
  /**
   * Adds a handler. Objects already in the store are replayed to it as `onAdd` (as client-go does),
   * so a handler added late misses nothing.
   *
   * `options.resyncPeriodMs` (optional) re-delivers every cached object to this handler as
   * `onUpdate(o, o)` that often; it overrides the informer's/cache's period (0 turns it off).
   */
  addEventHandler(handler: EventHandler<T>, options?: { readonly resyncPeriodMs?: number }): HandlerRegistration;
  /** Whether the first list has been delivered into the store. */
  hasSynced(): boolean;
  /** Resolves once synced; rejects if the signal aborts or the kind is not served. */
  waitForSync(signal?: AbortSignal): Promise<void>;
}

/**
 * Whether events are flowing: the informer's watch is open (`watching`), since when, and how many
 * stalls it has seen. What `/readyz` and the `opkit_informer_*` metrics report.
 */
export interface WatchHealth {
  /** A watch connection is open (or a relist just completed); false after a failure until the next one opens. */
  readonly watching: boolean;
  /** When `watching` last changed, in clock ms. */
  readonly since: number;
  /** The failure that ended the last watch, while `watching` is false. */
  readonly lastError: unknown;
  /** Stalled watch connections seen since the informer was created. */
  readonly stalls: number;
}

/** The {@link WatchHealth} of one informer of a cache. */
export interface InformerWatchHealth extends WatchHealth {
  readonly resource: Resource;
  readonly scope: InformerScope;
}

/** Extracts index values from an object, e.g. `obj => [obj.spec.nodeName]`. */
export type IndexFunc<T extends KubeObject> = (object: T) => readonly string[];

/**
 * The manager's cache: shared informers by (kind, scope), read access like the API server's.
 * `list` by field selector is answered from a field index registered with {@link Cache.indexField}.
 */
export interface Cache extends Reader {
  /** The informer for `resource` in `scope`; created on first request, started with the cache. */
  informerFor<T extends KubeObject>(resource: Resource<T>, scope?: InformerScope): Informer<T>;
  /** Registers a field index (before the cache starts) so `list(R, { fieldSelector: { [field]: v } })` works. */
  indexField<T extends KubeObject>(resource: Resource<T>, field: string, extract: IndexFunc<T>): void;
  /** Runs every informer (also ones requested later) until the signal aborts. */
  start(signal: AbortSignal): Promise<void>;
  /**
   * Resolves true once every informer requested so far has synced; false if the signal aborts first.
   * Rejects with the informer's fatal error (e.g. `KindNotServedError` from `runtime/src/watch`)
   * when a kind cannot be cached.
   */
  waitForCacheSync(signal?: AbortSignal): Promise<boolean>;
  /** The watch health of every informer that has synced: what `/readyz` reports (optional for custom caches). */
  watchHealth?(): readonly InformerWatchHealth[];
}
