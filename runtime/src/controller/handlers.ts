import type { KubeObject, Resource } from '../api/resource.js';
import type { EventHandler } from '../cache/types.js';
import type { ObjectKey } from '../client/client.js';
import type { Logger } from '../log/logger.js';
import type { Predicate } from '../predicates/predicates.js';

/**
 * Maps a changed object to the keys of the primary objects to reconcile. Pure: it sees only the
 * object (read other state in the reconciler, or from a cache captured in the closure).
 *
 * Guarantees (of the controller): called for the old and the new object of an update; duplicate
 * keys are enqueued once. Caveats: must not throw (a throw drops the event and is logged).
 */
export type MapFunc<T extends KubeObject = KubeObject> = (object: T) => readonly ObjectKey[];

/**
 * A queued request: the key of one primary object, what a reconciler receives.
 * Caveats: `namespace` is absent for cluster-scoped kinds.
 */
export interface Request {
  readonly namespace?: string;
  readonly name: string;
}

/**
 * `namespace/name`, or `name` for cluster-scoped keys: the workqueue key.
 * Guarantees: the same format as the cache store's keys, and {@link parseKey} inverts it.
 */
export function keyString(key: ObjectKey): string {
  return key.namespace ? `${key.namespace}/${key.name}` : key.name;
}

/**
 * The inverse of {@link keyString}.
 * Caveats: a key without `/` has no namespace (Kubernetes names never contain `/`).
 */
export function parseKey(key: string): Request {
  const slash = key.indexOf('/');
  return slash < 0 ? { name: key } : { namespace: key.slice(0, slash), name: key.slice(slash + 1) };
}

/**
 * The key of an object itself (`handler.EnqueueRequestForObject`).
 * Guarantees: no key for an object without a name.
 */
export function objectKeys(object: KubeObject): ObjectKey[] {
  const name = object.metadata?.name;
  return name ? [{ namespace: object.metadata?.namespace, name }] : [];
}

/**
 * The keys of an object's controlling owner of kind `owner` (`handler.EnqueueRequestForOwner`
 * with `OnlyControllerOwner`): the ownerReference with `controller: true` whose API group and kind
 * match; the owner is in the object's namespace (or cluster-scoped).
 * Guarantees: the version is ignored (an owner written as v1beta1 still matches v1).
 */
export function controllerOwnerKeys(owner: Pick<Resource, 'group' | 'kind' | 'namespaced'>, object: KubeObject): ObjectKey[] {
  for (const ref of object.metadata?.ownerReferences ?? []) {
    if (ref.controller !== true || ref.kind !== owner.kind) continue;
    const slash = ref.apiVersion.indexOf('/');
    const group = slash < 0 ? '' : ref.apiVersion.slice(0, slash);
    if (group !== owner.group) continue;
    return [{ namespace: owner.namespaced ? object.metadata?.namespace : undefined, name: ref.name }];
  }
  return [];
}

/** Everything {@link enqueueHandler} needs. */
export interface EnqueueHandlerOptions<T extends KubeObject> {
  /** Keys to enqueue for an object. */
  readonly toKeys: (object: T) => readonly ObjectKey[];
  /** Every predicate must pass for an event to enqueue. */
  readonly predicates: readonly Predicate<T>[];
  readonly enqueue: (key: string) => void;
  /** Receives throws from `toKeys` and predicates. */
  readonly log: Logger;
}

/**
 * An informer {@link EventHandler} that filters events through predicates and enqueues the keys
 * `toKeys` yields; an update enqueues the keys of both the old and the new object (an owner or a
 * mapping may have changed).
 * Guarantees: never throws; a throwing predicate or map function drops the event and logs it.
 */
export function enqueueHandler<T extends KubeObject>(options: EnqueueHandlerOptions<T>): EventHandler<T> {
  const { toKeys, predicates, enqueue, log } = options;
  const dropped = (event: string, object: T, err: unknown): void =>
    log.error('event handler failed; event dropped', { event, object: object.metadata?.name, namespace: object.metadata?.namespace, err });
  // The primary kind's own key needs no ObjectKey objects: it is the store key.
  const own = toKeys === objectKeys;
  const enqueueKeys = (object: T): void => {
    if (own) {
      const name = object.metadata?.name;
      if (name) enqueue(storeKey(object.metadata?.namespace, name));
      return;
    }
    for (const key of toKeys(object)) enqueue(keyString(key));
  };
  return {
    onAdd: (object) => {
      try {
        if (passes(predicates, 'create', object, undefined)) enqueueKeys(object);
      } catch (err) {
        dropped('create', object, err);
      }
    },
    onUpdate: (oldObject, newObject) => {
      try {
        if (!passes(predicates, 'update', newObject, oldObject)) return;
        if (own && oldObject.metadata?.name === newObject.metadata?.name && oldObject.metadata?.namespace === newObject.metadata?.namespace) {
          enqueueKeys(newObject);
          return;
        }
        // an owner or a mapping may have changed: the keys of both, each once
        const keys = new Set<string>();
        for (const object of [oldObject, newObject]) {
          if (own) {
            const name = object.metadata?.name;
            if (name) keys.add(storeKey(object.metadata?.namespace, name));
          } else for (const key of toKeys(object)) keys.add(keyString(key));
        }
        for (const key of keys) enqueue(key);
      } catch (err) {
        dropped('update', newObject, err);
      }
    },
    onDelete: (object) => {
      try {
        if (passes(predicates, 'delete', object, undefined)) enqueueKeys(object);
      } catch (err) {
        dropped('delete', object, err);
      }
    },
  };
}

const storeKey = (namespace: string | undefined, name: string): string => (namespace ? `${namespace}/${name}` : name);

/** Whether every predicate passes the event; a plain loop, no closure per event. */
function passes<T extends KubeObject>(predicates: readonly Predicate<T>[], event: 'create' | 'update' | 'delete', object: T, oldObject: T | undefined): boolean {
  for (const p of predicates) {
    if (event === 'create' ? !p.create(object) : event === 'delete' ? !p.delete(object) : !p.update(oldObject as T, object)) return false;
  }
  return true;
}
