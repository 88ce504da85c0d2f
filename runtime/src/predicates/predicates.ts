import type { KubeObject } from '../api/resource.js';

/**
 * Decides which watch events reach a controller's queue, one pure function per event type:
 * return `true` to let the event through. controller-runtime's `predicate.Funcs`.
 *
 * Guarantees (of the controller): predicates see the event's objects and nothing else; an event is
 * enqueued only when every predicate of its watch (builder-wide and per-watch) returns true.
 * Caveats: predicates must be pure and fast, and must not throw (a throw drops the event and is logged).
 * Periodic resync enqueues primary objects without consulting predicates.
 */
export interface Predicate<T extends KubeObject = KubeObject> {
  create(object: T): boolean;
  update(oldObject: T, newObject: T): boolean;
  delete(object: T): boolean;
}

/** The functions of a {@link Predicate}; a missing one lets its events through. */
export interface PredicateFuncs<T extends KubeObject = KubeObject> {
  readonly create?: (object: T) => boolean;
  readonly update?: (oldObject: T, newObject: T) => boolean;
  readonly delete?: (object: T) => boolean;
}

const pass = (): boolean => true;

/**
 * Builds a {@link Predicate} from some of its functions.
 * Guarantees: events without a function pass.
 */
export function predicate<T extends KubeObject = KubeObject>(funcs: PredicateFuncs<T>): Predicate<T> {
  return { create: funcs.create ?? pass, update: funcs.update ?? pass, delete: funcs.delete ?? pass };
}

/** Passes an event when every predicate passes it (and every event when given none). */
export function and<T extends KubeObject>(...predicates: readonly Predicate<T>[]): Predicate<T> {
  return {
    create: (o) => predicates.every((p) => p.create(o)),
    update: (a, b) => predicates.every((p) => p.update(a, b)),
    delete: (o) => predicates.every((p) => p.delete(o)),
  };
}

/** Passes an event when any predicate passes it (and no event when given none). */
export function or<T extends KubeObject>(...predicates: readonly Predicate<T>[]): Predicate<T> {
  return {
    create: (o) => predicates.some((p) => p.create(o)),
    update: (a, b) => predicates.some((p) => p.update(a, b)),
    delete: (o) => predicates.some((p) => p.delete(o)),
  };
}

/** Passes exactly the events `inner` rejects. */
export function not<T extends KubeObject>(inner: Predicate<T>): Predicate<T> {
  return {
    create: (o) => !inner.create(o),
    update: (a, b) => !inner.update(a, b),
    delete: (o) => !inner.delete(o),
  };
}

/** Shallow equality of two string maps, `undefined` equal to `{}`. */
function sameMap(a: Readonly<Record<string, string>> | undefined, b: Readonly<Record<string, string>> | undefined): boolean {
  const ak = Object.keys(a ?? {});
  const bk = Object.keys(b ?? {});
  if (ak.length !== bk.length) return false;
  return ak.every((k) => b !== undefined && Object.hasOwn(b, k) && b[k] === a?.[k]);
}

/**
 * Passes updates whose `metadata.generation` changed (spec changes, for kinds with a status
 * subresource); creates and deletes pass.
 * Caveats: kinds without a generation (ConfigMap, …) never pass updates; status-only writes are
 * filtered out, which is usually the point.
 */
export function generationChanged<T extends KubeObject = KubeObject>(): Predicate<T> {
  return predicate<T>({ update: (a, b) => a.metadata?.generation !== b.metadata?.generation });
}

/** Passes updates whose `metadata.labels` changed; creates and deletes pass. */
export function labelChanged<T extends KubeObject = KubeObject>(): Predicate<T> {
  return predicate<T>({ update: (a, b) => !sameMap(a.metadata?.labels, b.metadata?.labels) });
}

/** Passes updates whose `metadata.annotations` changed; creates and deletes pass. */
export function annotationChanged<T extends KubeObject = KubeObject>(): Predicate<T> {
  return predicate<T>({ update: (a, b) => !sameMap(a.metadata?.annotations, b.metadata?.annotations) });
}

/**
 * Passes updates whose `metadata.resourceVersion` changed; creates and deletes pass.
 * Caveats: filters out relist/resync updates that carry an unchanged object.
 */
export function resourceVersionChanged<T extends KubeObject = KubeObject>(): Predicate<T> {
  return predicate<T>({ update: (a, b) => a.metadata?.resourceVersion !== b.metadata?.resourceVersion });
}
