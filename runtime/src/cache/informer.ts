import { gvkString, type KubeObject, type Resource } from '../api/resource.js';
import type { Transport } from '../client/transport.js';
import { realClock, type Clock, type Timer } from '../util/clock.js';
import { ResourceExpiredError, WatchStalledError } from '../watch/errors.js';
import { runWatcher } from '../watch/watch-loop.js';
import type { WatcherOptions } from '../watch/watcher.js';
import { InformerStoppedError } from './errors.js';
import { Reflector, type ReflectorEvent } from './reflector.js';
import { createStore, type Store, type StoreChange, type StoreWriter } from './store.js';
import type { Transform } from './transform.js';
import type { EventHandler, HandlerRegistration, IndexFunc, Informer, InformerScope, WatchHealth } from './types.js';

/** Tuning of the watcher under an informer (see {@link WatcherOptions} for the defaults). */
export type WatcherTuning = Omit<WatcherOptions, 'signal' | 'scope' | 'clock'>;

/** Options of {@link SharedInformer}. */
export interface SharedInformerOptions<T extends KubeObject> {
  readonly transport: Transport;
  readonly resource: Resource<T>;
  /** What to watch (default: every namespace, no selectors). */
  readonly scope?: InformerScope;
  /** Source of time for the watcher and resyncs (default {@link realClock}). */
  readonly clock?: Clock;
  /** Applied to every object before it is cached (default `stripManagedFields`). */
  readonly transform?: Transform<T>;
  /** Deep-freeze cached objects (default true); see {@link ReflectorOptions.freeze}. */
  readonly freeze?: boolean;
  /** Indexes besides the built-in `namespace` one (default none). */
  readonly indexers?: Readonly<Record<string, IndexFunc<T>>>;
  /** Re-deliver every cached object to every handler as `onUpdate(o, o)` this often, in ms (default 0: off). */
  readonly resyncPeriodMs?: number;
  /** Page size, backoff, timeouts of the watcher. */
  readonly watcher?: WatcherTuning;
  /** Receives errors the informer retries on its own, and exceptions thrown by handlers (default: ignored). */
  readonly onError?: (error: unknown) => void;
}

/** Options of {@link SharedInformer.addEventHandler}. */
export interface HandlerOptions {
  /** Overrides the informer's `resyncPeriodMs` for this handler (0 turns resync off). */
  readonly resyncPeriodMs?: number;
}

interface Registration<T extends KubeObject> {
  readonly handler: EventHandler<T>;
  readonly resyncPeriodMs: number;
  /** The store generation the handler's replay reflected; it only gets later changes. */
  readonly generation: number;
  timer: Timer | undefined;
  removed: boolean;
}

interface Waiter {
  resolve(): void;
  reject(error: unknown): void;
}

/**
 * One list+watch of one kind in one scope, its store and its handlers: client-go's shared informer
 * built from {@link watcher} → {@link reflector} → handlers.
 *
 * Guarantees:
 * - one watch connection, whatever the number of handlers;
 * - a handler added at any time first gets `onAdd` for every cached object (synchronously, inside
 *   `addEventHandler`), then exactly the changes made after that, in order;
 * - a relist replaces the store in one step; handlers then get deletes for vanished objects;
 * - a throwing handler is reported to `onError` and does not affect other handlers;
 * - `run` ends (resolves) when its signal aborts, after cancelling every timer and request; it
 *   rejects with {@link KindNotServedError} when the kind is not served.
 *
 * Caveats: handlers run synchronously on the event loop and must be fast; objects are shared and
 * frozen (see {@link Store}).
 */
export class SharedInformer<T extends KubeObject> implements Informer<T> {
  readonly resource: Resource<T>;
  readonly scope: InformerScope;
  readonly store: Store<T>;
  readonly #writer: StoreWriter<T>;
  readonly #options: SharedInformerOptions<T>;
  readonly #clock: Clock;
  readonly #registrations = new Set<Registration<T>>();
  #waiters = new Set<Waiter>();
  #synced = false;
  #running = false;
  /** Why the last run ended, when it ended before the signal aborted; or 'stopped'. */
  #ended: { error: unknown } | undefined;
  #resourceVersion = '';
  #health: WatchHealth;

  constructor(options: SharedInformerOptions<T>) {
    this.#options = options;
    this.resource = options.resource;
    this.scope = options.scope ?? {};
    this.#clock = options.clock ?? realClock;
    const { store, writer } = createStore<T>(options.indexers ? { indexers: options.indexers } : {});
    this.store = store;
    this.#writer = writer;
    this.#health = { watching: false, since: this.#clock.now(), lastError: undefined, stalls: 0 };
  }

  /**
   * Whether events are flowing now (see {@link WatchHealth}).
   * Guarantees: turns false on the first failed list or watch (a stall included; not on the 410
   * that makes it relist), and true again as soon as a new watch connection opens or a relist
   * completes.
   */
  watchHealth(): WatchHealth {
    return this.#health;
  }

  #setWatching(watching: boolean, lastError: unknown): void {
    const stalls = this.#health.stalls + (lastError instanceof WatchStalledError ? 1 : 0);
    const since = watching === this.#health.watching ? this.#health.since : this.#clock.now();
    this.#health = { watching, since, lastError: watching ? undefined : lastError, stalls };
  }

  /** The latest resourceVersion applied (list, event or bookmark); `''` before the first list. */
  get resourceVersion(): string {
    return this.#resourceVersion;
  }

  /** Whether {@link SharedInformer.run} is in progress. */
  get running(): boolean {
    return this.#running;
  }

  hasSynced(): boolean {
    return this.#synced;
  }

  /** Adds an index (name → values) and builds it over the cached objects; allowed at any time. */
  addIndex(name: string, fn: IndexFunc<T>): void {
    this.#writer.addIndex(name, fn);
  }

  addEventHandler(handler: EventHandler<T>, options: HandlerOptions = {}): HandlerRegistration {
    for (const object of this.store.list()) this.#call(() => handler.onAdd?.(object));
    const registration: Registration<T> = {
      handler,
      resyncPeriodMs: options.resyncPeriodMs ?? this.#options.resyncPeriodMs ?? 0,
      generation: this.store.generation,
      timer: undefined,
      removed: false,
    };
    this.#registrations.add(registration);
    if (this.#running && this.#synced) this.#scheduleResync(registration);
    return {
      remove: () => {
        registration.removed = true;
        registration.timer?.cancel();
        this.#registrations.delete(registration);
      },
    };
  }

  /**
   * Resolves once the first list is in the store. Rejects with the signal's reason when `signal`
   * aborts, with {@link KindNotServedError} when the kind is not served, and with
   * {@link InformerStoppedError} when the informer stopped before syncing.
   */
  waitForSync(signal?: AbortSignal): Promise<void> {
    if (this.#synced) return Promise.resolve();
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.#ended) return Promise.reject(this.#ended.error);
    return new Promise<void>((resolve, reject) => {
      const onAbort = (): void => {
        this.#waiters.delete(waiter);
        reject(signal?.reason);
      };
      const waiter: Waiter = {
        resolve: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
        reject: (error) => {
          signal?.removeEventListener('abort', onAbort);
          reject(error);
        },
      };
      this.#waiters.add(waiter);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /**
   * Lists and watches until `signal` aborts. Call it once at a time; after it ended it may be
   * called again (the store is kept and reconciled by the relist).
   * @throws KindNotServedError when the kind is not served; pending `waitForSync` calls reject with it.
   */
  async run(signal: AbortSignal): Promise<void> {
    if (this.#running) throw new Error(`the ${gvkString(this.resource)} informer is already running`);
    this.#running = true;
    this.#ended = undefined;
    const onError = this.#options.onError;
    try {
      const core = new Reflector(this.#writer, {
        ...(this.#options.transform ? { transform: this.#options.transform } : {}),
        ...(this.#options.freeze === undefined ? {} : { freeze: this.#options.freeze }),
        onTransformError: (error: unknown) => this.#call(() => onError?.(error)),
      });
      // Every watch event runs from the connection's data callback through the store to the
      // handlers in one synchronous step: no promise, async iterator or microtask per event.
      await runWatcher(this.#options.transport, this.resource, { ...this.#options.watcher, signal, scope: this.scope, clock: this.#clock }, {
        event: (watcherEvent) => {
          const event = core.step(watcherEvent);
          if (event) this.#onReflected(event);
        },
      });
      this.#ended = { error: new InformerStoppedError(gvkString(this.resource)) };
      this.#settleWaiters(this.#ended.error);
    } catch (err) {
      this.#ended = { error: err };
      this.#settleWaiters(err);
      throw err;
    } finally {
      this.#running = false;
      this.#setWatching(false, this.#ended?.error);
      for (const registration of this.#registrations) {
        registration.timer?.cancel();
        registration.timer = undefined;
      }
    }
  }

  #onReflected(event: ReflectorEvent<T>): void {
    if (event.type === 'changes') {
      this.#resourceVersion = event.resourceVersion;
      if (event.relist) this.#setWatching(true, undefined);
      this.#dispatch(event.changes, event.generation);
      if (event.relist && !this.#synced) this.#markSynced();
    } else if (event.type === 'bookmark') {
      this.#resourceVersion = event.resourceVersion;
    } else if (event.type === 'connected') {
      this.#setWatching(true, undefined);
    } else {
      if (!(event.error instanceof ResourceExpiredError)) this.#setWatching(false, event.error);
      this.#report(event.error);
    }
  }

  #markSynced(): void {
    this.#synced = true;
    const waiters = this.#waiters;
    this.#waiters = new Set();
    for (const waiter of waiters) waiter.resolve();
    for (const registration of this.#registrations) this.#scheduleResync(registration);
  }

  #settleWaiters(error: unknown): void {
    const waiters = this.#waiters;
    this.#waiters = new Set();
    for (const waiter of waiters) waiter.reject(error);
  }

  #dispatch(changes: readonly StoreChange<T>[], generation: number): void {
    // The common case, one change (a watch event), runs over the live set: no copy, no closures.
    // A handler added while a relist's changes are dispatched already replayed the new store.
    const registrations = changes.length === 1 ? this.#registrations : [...this.#registrations];
    for (const change of changes) {
      for (const registration of registrations) {
        if (registration.removed || registration.generation >= generation) continue;
        const handler = registration.handler;
        try {
          if (change.type === 'add') handler.onAdd?.(change.object);
          else if (change.type === 'update') handler.onUpdate?.(change.oldObject, change.object);
          else handler.onDelete?.(change.object);
        } catch (err) {
          this.#report(err);
        }
      }
    }
  }

  #scheduleResync(registration: Registration<T>): void {
    if (registration.resyncPeriodMs <= 0 || registration.removed || registration.timer) return;
    registration.timer = this.#clock.setTimer(registration.resyncPeriodMs, () => {
      registration.timer = undefined;
      if (registration.removed || !this.#running) return;
      for (const object of this.store.list()) this.#call(() => registration.handler.onUpdate?.(object, object));
      this.#scheduleResync(registration);
    });
  }

  #call(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.#report(err);
    }
  }

  #report(err: unknown): void {
    if (!this.#options.onError) return;
    try {
      this.#options.onError(err);
    } catch {
      // an error reporter that throws has nowhere left to report to
    }
  }
}
