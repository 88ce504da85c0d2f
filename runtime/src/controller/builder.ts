import type { KubeObject, Resource } from '../api/resource.js';
import type { ServerHealth } from '../client/health.js';
import type { Cache, InformerScope } from '../cache/types.js';
import type { Client, Reader } from '../client/client.js';
import { isNotFound } from '../client/errors.js';
import type { EventRecorder } from '../events/recorder.js';
import type { Logger } from '../log/logger.js';
import type { Runnable } from '../lifecycle/runnable.js';
import type { Predicate } from '../predicates/predicates.js';
import type { WorkqueueMetrics } from '../queue/metrics.js';
import type { RateLimiter, RateLimitOptions } from '../queue/rate-limiter.js';
import type { Clock } from '../util/clock.js';
import { Controller, type WatchSource } from './controller.js';
import { ControllerError } from './errors.js';
import { controllerOwnerKeys, enqueueHandler, objectKeys, type MapFunc } from './handlers.js';
import type { ControllerMetrics } from './metrics.js';
import type { ObjectReconciler, Reconciler } from './reconciler.js';

/**
 * What the builder needs from a manager; {@link Manager} implements it. Tests may pass their own
 * (with a fake cache).
 */
export interface ControllerHost {
  readonly cache: Cache;
  /** The client reconcilers get (`ctx.client`). */
  readonly client: Client;
  /** The uncached reader reconcilers get (`ctx.apiReader`). */
  readonly apiReader: Reader;
  /** An event recorder reporting as `controller` (`ctx.recorder` records with it). */
  eventRecorder(controller: string): EventRecorder;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly controllerMetrics: ControllerMetrics;
  /** The `workqueue_*` sink of the queue of controller `name`, if any. */
  workqueueMetrics(name: string): WorkqueueMetrics | undefined;
  /** Namespace the informers are limited to (all when undefined). */
  readonly namespace: string | undefined;
  readonly gracefulShutdownTimeoutMs: number;
  /** Registers the built controller to be started with the host. */
  add(runnable: Runnable): void;
  /** Whether this process may reconcile as the leader now (see `ControllerOptions.leaderGate`). */
  readonly leaderGate?: () => boolean;
  /** The API server's health (see `ControllerOptions.serverHealth`). */
  readonly serverHealth?: ServerHealth | undefined;
}

/** Per-watch options. */
export interface WatchOptions<T extends KubeObject> {
  /** Predicates of this watch only, combined (and) with the builder's {@link ControllerBuilder.withPredicates}. */
  readonly predicates?: readonly Predicate<T>[];
}

/** Controller-wide options beyond the sentence-like methods. */
export interface ControllerBuilderOptions {
  /** Period of enqueuing every primary key, in ms; 0 disables (default 10 hours). */
  readonly resyncPeriodMs?: number;
  /** Tunes the default rate limiter (5 ms doubling to 1000 s per key; 10 qps, burst 100). */
  readonly rateLimit?: RateLimitOptions;
  /** Replaces the rate limiter. */
  readonly rateLimiter?: RateLimiter;
  /** Start only while leading (default true). */
  readonly needLeaderElection?: boolean;
}

interface PendingWatch {
  readonly resource: Resource<KubeObject>;
  readonly toKeys: (object: KubeObject) => ReturnType<MapFunc>;
  readonly predicates: readonly Predicate<KubeObject>[];
}

/**
 * Builds a controller in a sentence:
 * `controller(mgr).for(Widget).owns(ConfigMap).withPredicates(generationChanged()).concurrency(4).reconcile(fn)`.
 *
 * Guarantees: informers are requested from the host's cache when `reconcile()` is called, so the
 * cache starts (and syncs) them before the controller runs; one informer per kind is shared by
 * every controller of the manager.
 * Caveats: each builder builds one controller; methods after `reconcile()` throw.
 */
export class ControllerBuilder<T extends KubeObject = KubeObject> {
  readonly #host: ControllerHost;
  #name: string | undefined;
  #for: { resource: Resource<T>; predicates: readonly Predicate<T>[] } | undefined;
  readonly #watches: PendingWatch[] = [];
  #predicates: readonly Predicate<KubeObject>[] = [];
  #concurrency = 1;
  #options: ControllerBuilderOptions = {};
  #built = false;

  /** @internal use {@link controller}. */
  constructor(host: ControllerHost) {
    this.#host = host;
  }

  /** Names the controller (default: the primary kind in lower case). Names must be unique per manager. */
  named(name: string): this {
    this.#check();
    this.#name = name;
    return this;
  }

  /** The primary kind: its events enqueue its own key. Exactly one `for` per controller. */
  for<U extends KubeObject>(resource: Resource<U>, options: WatchOptions<U> = {}): ControllerBuilder<U> {
    this.#check();
    if (this.#for) throw new ControllerError({ reason: 'InvalidBuilder', message: 'for() may be called only once per controller' });
    const self = this as unknown as ControllerBuilder<U>;
    self.#for = { resource, predicates: options.predicates ?? [] };
    return self;
  }

  /**
   * An owned kind: its events enqueue the key of the object's controlling owner (the
   * ownerReference with `controller: true` whose group and kind are the primary kind's).
   */
  owns<O extends KubeObject>(resource: Resource<O>, options: WatchOptions<O> = {}): this {
    this.#check();
    this.#addWatch(resource, (object) => (this.#for ? controllerOwnerKeys(this.#for.resource, object) : []), options);
    return this;
  }

  /** Any kind: its events enqueue the keys `map` returns (a pure function of the object). */
  watches<W extends KubeObject>(resource: Resource<W>, map: MapFunc<W>, options: WatchOptions<W> = {}): this {
    this.#check();
    this.#addWatch(resource, map, options);
    return this;
  }

  /** Predicates for every watch of this controller (primary, owned and mapped). */
  withPredicates(...predicates: readonly Predicate<KubeObject>[]): this {
    this.#check();
    this.#predicates = [...this.#predicates, ...predicates];
    return this;
  }

  /** Maximum concurrent reconciles (default 1). Never two at once for one key. */
  concurrency(n: number): this {
    this.#check();
    this.#concurrency = n;
    return this;
  }

  /** Resync, rate limiting and leader election options. */
  withOptions(options: ControllerBuilderOptions): this {
    this.#check();
    this.#options = { ...this.#options, ...options };
    return this;
  }

  /**
   * Finishes the controller with a reconciler of the primary object itself: each reconcile reads
   * the object at the key through `ctx.client` (from the cache) and calls `fn(object, ctx)`; when
   * the object is gone (deleted), it returns without calling `fn`: nothing to reconcile, and
   * owned objects are left to the garbage collector.
   *
   * Guarantees: `fn` gets a private copy it may change (see the manager's client); an object that
   * is being deleted (`metadata.deletionTimestamp` set, finalizers pending) is handed over, so
   * `finalizer()` can run its cleanup; errors of the read other than NotFound are thrown
   * (retried with backoff) like errors of `fn`.
   * @throws {ControllerError} as {@link ControllerBuilder.reconcile}.
   */
  reconcileObject(fn: ObjectReconciler<T>): Controller {
    const resource = this.#for?.resource;
    if (!resource) throw new ControllerError({ reason: 'InvalidBuilder', message: 'a controller needs a primary kind: call for(Kind) before reconcileObject()' });
    return this.reconcile(async (request, ctx) => {
      let object: T;
      try {
        object = await ctx.client.get(resource, request, { signal: ctx.signal });
      } catch (err) {
        if (!isNotFound(err)) throw err;
        ctx.log.debug('Object not found; nothing to reconcile');
        return undefined;
      }
      return fn(object, ctx);
    });
  }

  /**
   * Finishes the controller: requests its informers, registers it with the host (started with the
   * manager), and returns it.
   * @throws {ControllerError} `InvalidBuilder` without `for()`, or with a bad concurrency.
   */
  reconcile(reconciler: Reconciler): Controller {
    this.#check();
    const primary = this.#for;
    if (!primary) throw new ControllerError({ reason: 'InvalidBuilder', message: 'a controller needs a primary kind: call for(Kind) before reconcile()' });
    this.#built = true;
    const host = this.#host;
    const name = this.#name ?? primary.resource.kind.toLowerCase();
    const scope: InformerScope = host.namespace === undefined ? {} : { namespace: host.namespace };
    const log = host.logger.child({ controller: name });
    const watches: PendingWatch[] = [
      { resource: primary.resource as Resource<KubeObject>, toKeys: objectKeys, predicates: primary.predicates as readonly Predicate<KubeObject>[] },
      ...this.#watches,
    ];
    const sources: WatchSource[] = watches.map((w) => {
      const informer = host.cache.informerFor(w.resource, scope);
      const predicates = [...this.#predicates, ...w.predicates];
      return { informer, handler: (enqueue) => enqueueHandler({ toKeys: w.toKeys, predicates, enqueue, log }) };
    });
    const forInformer = sources[0]?.informer;
    if (!forInformer) throw new ControllerError({ reason: 'InvalidBuilder', message: 'no primary informer' });
    const workqueueMetrics = host.workqueueMetrics(name);
    const built = new Controller({
      name,
      forResource: primary.resource as Resource,
      forInformer,
      sources,
      reconciler,
      client: host.client,
      apiReader: host.apiReader,
      recorder: host.eventRecorder(name),
      clock: host.clock,
      logger: host.logger,
      concurrency: this.#concurrency,
      gracefulShutdownTimeoutMs: host.gracefulShutdownTimeoutMs,
      metrics: host.controllerMetrics,
      ...(workqueueMetrics ? { workqueueMetrics } : {}),
      ...(host.leaderGate ? { leaderGate: host.leaderGate } : {}),
      ...(host.serverHealth ? { serverHealth: host.serverHealth } : {}),
      ...this.#options,
    });
    host.add(built);
    return built;
  }

  #addWatch<W extends KubeObject>(resource: Resource<W>, toKeys: MapFunc<W>, options: WatchOptions<W>): void {
    this.#watches.push({
      resource: resource as Resource<KubeObject>,
      toKeys: toKeys as (object: KubeObject) => ReturnType<MapFunc>,
      predicates: (options.predicates ?? []) as readonly Predicate<KubeObject>[],
    });
  }

  #check(): void {
    if (this.#built) throw new ControllerError({ reason: 'InvalidBuilder', message: 'this builder already built its controller; start a new one with controller(mgr)' });
  }
}

/**
 * Starts building a controller for `host` (a {@link Manager}).
 * Guarantees: nothing is registered until {@link ControllerBuilder.reconcile}.
 */
export function controller(host: ControllerHost): ControllerBuilder<KubeObject> {
  return new ControllerBuilder(host);
}
