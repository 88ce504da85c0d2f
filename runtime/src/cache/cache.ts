import { gvkString, type KubeObject, type Resource } from '../api/resource.js';
import type { ListOptions, ObjectKey } from '../client/client.js';
import { ApiError } from '../client/errors.js';
import { resourcePath } from '../client/paths.js';
import type { Transport } from '../client/transport.js';
import { realClock, type Clock } from '../util/clock.js';
import { CacheError, CacheNotStartedError, InformerStoppedError, MissingFieldIndexError } from './errors.js';
import { SharedInformer, type WatcherTuning } from './informer.js';
import { parseFieldSelector, parseLabelSelector } from './selector.js';
import { NAMESPACE_INDEX, type Store } from './store.js';
import { stripManagedFields } from './transform.js';
import type { Cache, IndexFunc, InformerScope, InformerWatchHealth } from './types.js';

/** A cache-wide transform: like {@link Transform}, told which kind the object is. */
export type CacheTransform = (object: KubeObject, resource: Resource) => KubeObject;

/** Per-informer settings that override the cache's, see {@link CacheOptions.informerOptions}. */
export interface InformerOverrides {
  readonly transform?: CacheTransform;
  readonly resyncPeriodMs?: number;
}

/** Options of {@link createCache}. */
export interface CacheOptions {
  readonly transport: Transport;
  /** Source of time for watchers and resyncs (default {@link realClock}). */
  readonly clock?: Clock;
  /** Applied to every object before it is cached (default {@link stripManagedFields}; compose with it to keep it). */
  readonly transform?: CacheTransform;
  /** Deep-freeze cached objects (default true); with false, readers must not mutate by convention. */
  readonly freeze?: boolean;
  /** Re-deliver all objects to handlers as `onUpdate` this often, in ms (default 0: off). */
  readonly resyncPeriodMs?: number;
  /** Page size, backoff and timeouts of every watcher (see {@link WatcherOptions} for defaults). */
  readonly watcher?: WatcherTuning;
  /**
   * Limits every informer of a namespaced kind whose scope names no namespace to this namespace,
   * `get`/`list` included: controller-runtime's `DefaultNamespaces` (default: all namespaces).
   */
  readonly namespace?: string;
  /**
   * The scope of the informer that serves `get`/`list` of a kind (default: all namespaces, or
   * `namespace`; no selectors). Called once per kind descriptor: the answer is remembered.
   */
  readonly scopeFor?: (resource: Resource) => InformerScope;
  /** Per-informer overrides of `transform` and `resyncPeriodMs` (default none). */
  readonly informerOptions?: (resource: Resource, scope: InformerScope) => InformerOverrides | undefined;
  /** Receives errors the informers retry on their own and handler exceptions (default: ignored). */
  readonly onError?: (error: unknown, informer: { readonly resource: Resource; readonly scope: InformerScope }) => void;
}

interface RunState {
  readonly controller: AbortController;
  readonly tasks: Set<Promise<void>>;
  fatal: unknown;
}

const fieldIndexName = (field: string): string => `field:${field}`;
const resourceId = (r: Resource): string => `${r.group}/${r.version}/${r.plural}`;

function normalizeScope(resource: Resource, scope: InformerScope, defaultNamespace: string | undefined): InformerScope {
  const namespace = scope.namespace || defaultNamespace;
  return Object.freeze({
    ...(resource.namespaced && namespace ? { namespace } : {}),
    ...(scope.labelSelector?.trim() ? { labelSelector: scope.labelSelector.trim() } : {}),
    ...(scope.fieldSelector?.trim() ? { fieldSelector: scope.fieldSelector.trim() } : {}),
  });
}

/**
 * The informer cache: controller-runtime's cache, a {@link Reader} served from shared informers.
 *
 * Guarantees:
 * - one informer (one watch) per (kind, namespace, labelSelector, fieldSelector): `informerFor`
 *   with an equal scope returns the same instance, to every caller;
 * - `get`/`list` wait for the kind's informer to sync (created on first use), then answer from
 *   memory; label selectors (`=`, `!=`, `in`, `notin`, exists, `!`) are matched locally, field
 *   selectors are answered from indexes registered with `indexField` (`metadata.name` and
 *   `metadata.namespace` need none);
 * - `start` runs every informer, also ones requested later, until the signal aborts, then resolves
 *   once all have stopped; if a kind is not served it stops everything and rejects with
 *   {@link KindNotServedError}, which `waitForCacheSync` and `get`/`list` also reject with.
 *
 * Caveats: returned objects are shared and deep-frozen (unless `freeze: false`): clone before
 * changing. `get`/`list` before `start` throw {@link CacheNotStartedError}.
 */
export class InformerCache implements Cache {
  readonly #options: CacheOptions;
  readonly #informers = new Map<string, SharedInformer<KubeObject>>();
  readonly #fieldIndexes = new Map<string, Map<string, IndexFunc<KubeObject>>>();
  /** The informer serving `get`/`list` per kind descriptor: a read costs no scope or key building. */
  readonly #serving = new WeakMap<Resource, SharedInformer<KubeObject>>();
  #run: RunState | undefined;

  constructor(options: CacheOptions) {
    this.#options = options;
  }

  informerFor<T extends KubeObject>(resource: Resource<T>, scope: InformerScope = {}): SharedInformer<T> {
    const normalized = normalizeScope(resource, scope, this.#options.namespace);
    const key = [resourceId(resource), normalized.namespace ?? '', normalized.labelSelector ?? '', normalized.fieldSelector ?? ''].join('\u0000');
    const existing = this.#informers.get(key);
    if (existing) return existing as unknown as SharedInformer<T>;
    const o = this.#options;
    const overrides = o.informerOptions?.(resource, normalized);
    const transform = overrides?.transform ?? o.transform;
    const onError = o.onError;
    const resyncPeriodMs = overrides?.resyncPeriodMs ?? o.resyncPeriodMs;
    const informer = new SharedInformer<KubeObject>({
      transport: o.transport,
      resource,
      scope: normalized,
      clock: o.clock ?? realClock,
      transform: transform ? (object) => transform(object, resource) : stripManagedFields,
      ...(o.freeze === undefined ? {} : { freeze: o.freeze }),
      ...(resyncPeriodMs === undefined ? {} : { resyncPeriodMs }),
      ...(o.watcher ? { watcher: o.watcher } : {}),
      ...(onError ? { onError: (error: unknown) => onError(error, { resource, scope: normalized }) } : {}),
    });
    for (const [field, fn] of this.#fieldIndexes.get(resourceId(resource)) ?? []) informer.addIndex(fieldIndexName(field), fn);
    this.#informers.set(key, informer);
    this.#launch(informer);
    return informer as unknown as SharedInformer<T>;
  }

  /** Registers a field index on every informer of `resource`, existing and future; allowed at any time. */
  indexField<T extends KubeObject>(resource: Resource<T>, field: string, extract: IndexFunc<T>): void {
    const id = resourceId(resource);
    let fields = this.#fieldIndexes.get(id);
    if (!fields) this.#fieldIndexes.set(id, (fields = new Map()));
    const fn = extract as IndexFunc<KubeObject>;
    fields.set(field, fn);
    for (const informer of this.#informers.values()) if (resourceId(informer.resource) === id) informer.addIndex(fieldIndexName(field), fn);
  }

  async start(signal: AbortSignal): Promise<void> {
    if (this.#run) throw new CacheError({ reason: 'CacheAlreadyStarted', message: 'the cache was already started; start it once' });
    const run: RunState = { controller: new AbortController(), tasks: new Set(), fatal: undefined };
    this.#run = run;
    const stop = (): void => run.controller.abort(signal.reason);
    if (signal.aborted) stop();
    else signal.addEventListener('abort', stop, { once: true });
    for (const informer of this.#informers.values()) this.#launch(informer);
    await new Promise<void>((resolve) => {
      if (run.controller.signal.aborted) resolve();
      else run.controller.signal.addEventListener('abort', () => resolve(), { once: true });
    });
    signal.removeEventListener('abort', stop);
    while (run.tasks.size > 0) await Promise.allSettled([...run.tasks]);
    if (run.fatal !== undefined) throw run.fatal;
  }

  async waitForCacheSync(signal?: AbortSignal): Promise<boolean> {
    for (;;) {
      const informers = [...this.#informers.values()];
      const run = this.#run;
      if (run?.controller.signal.aborted && informers.some((i) => !i.hasSynced())) {
        if (run.fatal !== undefined) throw run.fatal;
        return false;
      }
      try {
        await Promise.all(informers.map((informer) => informer.waitForSync(signal)));
      } catch (err) {
        if (this.#run?.fatal !== undefined) throw this.#run.fatal;
        if (signal?.aborted) return false;
        throw err;
      }
      if (this.#informers.size === informers.length) return true;
    }
  }

  watchHealth(): InformerWatchHealth[] {
    const out: InformerWatchHealth[] = [];
    for (const informer of this.#informers.values()) {
      if (informer.hasSynced()) out.push({ ...informer.watchHealth(), resource: informer.resource, scope: informer.scope });
    }
    return out;
  }

  get<T extends KubeObject>(resource: Resource<T>, key: ObjectKey, options?: { signal?: AbortSignal }): Promise<T> {
    try {
      const informer = this.#servingInformer(resource);
      // a synced informer answers at once: no async frame and no await between the caller and the store
      if (this.#run && informer.hasSynced()) return Promise.resolve(this.#cached(informer, resource, key));
      return this.#ready(informer, `get ${gvkString(resource)} ${key.name}`, options?.signal).then(() => this.#cached(informer, resource, key));
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /** The cached object at `key`. @throws ApiError 404 when it is not in the cache. */
  #cached<T extends KubeObject>(informer: SharedInformer<T>, resource: Resource<T>, key: ObjectKey): T {
    const storeKey = resource.namespaced && key.namespace ? `${key.namespace}/${key.name}` : key.name;
    const object = informer.store.get(storeKey);
    if (object) return object;
    throw new ApiError({
      status: 404,
      method: 'GET',
      path: resourcePath(resource, key),
      body: {
        kind: 'Status',
        status: 'Failure',
        reason: 'NotFound',
        code: 404,
        message: `${resource.plural}${resource.group ? `.${resource.group}` : ''} "${key.name}" not found in the cache`,
        details: { name: key.name, group: resource.group, kind: resource.plural },
      },
    });
  }

  async list<T extends KubeObject>(resource: Resource<T>, options: ListOptions = {}): Promise<T[]> {
    const informer = this.#servingInformer(resource);
    const store = informer.store;
    const labels = parseLabelSelector(options.labelSelector);
    const namespace = resource.namespaced ? options.namespace : undefined;
    const checks: Array<(object: T) => boolean> = [];
    let lookup: (() => T[]) | undefined;
    for (const req of parseFieldSelector(options.fieldSelector)) {
      const access = this.#fieldAccess(store, resource, req.field);
      if (req.op === '=' && access.lookup && !lookup) lookup = () => access.lookup?.(req.value) ?? [];
      checks.push(req.op === '=' ? (o) => access.test(o, req.value) : (o) => !access.test(o, req.value));
    }
    await this.#ready(informer, `list ${gvkString(resource)}`, options.signal);
    const candidates = lookup ? lookup() : namespace ? store.byIndex(NAMESPACE_INDEX, namespace) : store.list();
    return candidates.filter(
      (o) => (namespace === undefined || o.metadata?.namespace === namespace) && labels.matches(o.metadata?.labels) && checks.every((check) => check(o)),
    );
  }

  #servingInformer<T extends KubeObject>(resource: Resource<T>): SharedInformer<T> {
    let informer = this.#serving.get(resource as Resource);
    if (informer === undefined) {
      informer = this.informerFor(resource as Resource, this.#options.scopeFor?.(resource as Resource) ?? {});
      this.#serving.set(resource as Resource, informer);
    }
    return informer as unknown as SharedInformer<T>;
  }

  #fieldAccess<T extends KubeObject>(
    store: Store<T>,
    resource: Resource<T>,
    field: string,
  ): { lookup?: (value: string) => T[]; test: (object: T, value: string) => boolean } {
    if (field === 'metadata.name') return { test: (o, v) => o.metadata?.name === v };
    if (field === 'metadata.namespace') {
      return { lookup: (v) => store.byIndex(NAMESPACE_INDEX, v), test: (o, v) => (o.metadata?.namespace ?? '') === v };
    }
    const name = fieldIndexName(field);
    const fn = store.indexFunc(name);
    if (!fn) throw new MissingFieldIndexError({ field, gvk: gvkString(resource) });
    return { lookup: (v) => store.byIndex(name, v), test: (o, v) => fn(o).includes(v) };
  }

  async #ready<T extends KubeObject>(informer: SharedInformer<T>, what: string, signal: AbortSignal | undefined): Promise<void> {
    if (!this.#run) throw new CacheNotStartedError(what);
    if (informer.hasSynced()) return;
    if (this.#run.fatal !== undefined) throw this.#run.fatal;
    if (this.#run.controller.signal.aborted) throw new InformerStoppedError(gvkString(informer.resource));
    await informer.waitForSync(signal);
  }

  #launch(informer: SharedInformer<KubeObject>): void {
    const run = this.#run;
    if (!run || run.controller.signal.aborted || informer.running) return;
    const task: Promise<void> = informer
      .run(run.controller.signal)
      .catch((err: unknown) => {
        if (run.fatal === undefined) run.fatal = err;
        run.controller.abort(err);
      })
      .finally(() => run.tasks.delete(task));
    run.tasks.add(task);
  }
}

/** Creates an {@link InformerCache}; see {@link CacheOptions} for the defaults. */
export function createCache(options: CacheOptions): InformerCache {
  return new InformerCache(options);
}
