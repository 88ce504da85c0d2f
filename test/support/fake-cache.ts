import type { KubeObject, Resource } from '../../runtime/src/api/resource.js';
import type { Cache, EventHandler, HandlerRegistration, Informer, InformerScope, ReadonlyStore } from '../../runtime/src/cache/types.js';
import type { ListOptions, ObjectKey } from '../../runtime/src/client/client.js';
import { ApiError } from '../../runtime/src/client/errors.js';

function keyOf(o: KubeObject): string {
  const ns = o.metadata?.namespace;
  return ns ? `${ns}/${o.metadata?.name ?? ''}` : (o.metadata?.name ?? '');
}

/** An in-memory informer driven by the test: `add/update/remove` emit events, `sync()` marks it synced. */
export class FakeInformer<T extends KubeObject> implements Informer<T> {
  readonly objects = new Map<string, T>();
  readonly #handlers = new Set<EventHandler<T>>();
  #synced = false;
  #failure: unknown;
  #waiters: Array<{ resolve: () => void; reject: (e: unknown) => void }> = [];
  readonly store: ReadonlyStore<T>;

  constructor(
    readonly resource: Resource<T>,
    readonly scope: InformerScope = {},
  ) {
    const objects = this.objects;
    this.store = {
      get: (key) => objects.get(key),
      list: () => [...objects.values()],
      byIndex: (_index, value) => [...objects.values()].filter((o) => o.metadata?.namespace === value),
      keys: () => [...objects.keys()],
      get size() {
        return objects.size;
      },
    };
  }

  get handlerCount(): number {
    return this.#handlers.size;
  }

  addEventHandler(handler: EventHandler<T>): HandlerRegistration {
    this.#handlers.add(handler);
    for (const o of this.objects.values()) handler.onAdd?.(o);
    return { remove: () => this.#handlers.delete(handler) };
  }

  hasSynced(): boolean {
    return this.#synced;
  }

  waitForSync(signal?: AbortSignal): Promise<void> {
    if (this.#synced) return Promise.resolve();
    if (this.#failure !== undefined) return Promise.reject(this.#failure);
    return new Promise((resolve, reject) => {
      const waiter = { resolve, reject };
      this.#waiters.push(waiter);
      signal?.addEventListener('abort', () => reject(signal.reason), { once: true });
    });
  }

  sync(): void {
    this.#synced = true;
    for (const w of this.#waiters.splice(0)) w.resolve();
  }

  fail(error: unknown): void {
    this.#failure = error;
    for (const w of this.#waiters.splice(0)) w.reject(error);
  }

  add(object: T): void {
    this.objects.set(keyOf(object), object);
    for (const h of this.#handlers) h.onAdd?.(object);
  }

  update(object: T): void {
    const old = this.objects.get(keyOf(object));
    this.objects.set(keyOf(object), object);
    for (const h of this.#handlers) {
      if (old) h.onUpdate?.(old, object);
      else h.onAdd?.(object);
    }
  }

  remove(object: T): void {
    const old = this.objects.get(keyOf(object)) ?? object;
    this.objects.delete(keyOf(object));
    for (const h of this.#handlers) h.onDelete?.(old);
  }
}

/** A {@link Cache} of {@link FakeInformer}s, one per kind (scopes are recorded, not separated). */
export class FakeCache implements Cache {
  readonly informers = new Map<string, FakeInformer<KubeObject>>();
  started = false;

  informerFor<T extends KubeObject>(resource: Resource<T>, scope: InformerScope = {}): FakeInformer<T> {
    const id = `${resource.group}/${resource.kind}`;
    let informer = this.informers.get(id);
    if (!informer) {
      informer = new FakeInformer<KubeObject>(resource as Resource<KubeObject>, scope);
      this.informers.set(id, informer);
    }
    return informer as unknown as FakeInformer<T>;
  }

  indexField(): void {}

  async start(signal: AbortSignal): Promise<void> {
    this.started = true;
    await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
  }

  async waitForCacheSync(signal?: AbortSignal): Promise<boolean> {
    try {
      await Promise.all([...this.informers.values()].map((i) => i.waitForSync(signal)));
      return true;
    } catch {
      return false;
    }
  }

  async get<T extends KubeObject>(resource: Resource<T>, key: ObjectKey): Promise<T> {
    const o = this.informerFor(resource).store.get(key.namespace ? `${key.namespace}/${key.name}` : key.name);
    if (!o) throw new ApiError({ status: 404, method: 'GET', path: `${resource.plural}/${key.name}` });
    return o;
  }

  async list<T extends KubeObject>(resource: Resource<T>, _options?: ListOptions): Promise<T[]> {
    return this.informerFor(resource).store.list();
  }
}
