import type { KubeObject } from '../api/resource.js';

/**
 * Rewrites an object before it enters a cache, to drop what nobody reads. It may change and return
 * its argument (it owns the freshly parsed object) or return a new object; it must not throw.
 */
export type Transform<T extends KubeObject = KubeObject> = (object: T) => T;

/**
 * The default transform: deletes `metadata.managedFields`, server-side apply bookkeeping that is
 * often the largest part of an object and that controllers do not read.
 */
export function stripManagedFields<T extends KubeObject>(object: T): T {
  const metadata = object.metadata;
  if (metadata === undefined || !('managedFields' in metadata)) return object;
  // a new metadata object rather than `delete`: a deleted property turns the object into a slower,
  // larger dictionary-mode object for as long as it is cached
  const { managedFields: _dropped, ...kept } = metadata;
  object.metadata = kept;
  return object;
}

/**
 * Freezes `value` and everything reachable from it, so a mutation by a reader throws (ES modules
 * run in strict mode) instead of silently corrupting the shared cache.
 *
 * Guarantees: one pass over the object, no copy; already frozen sub-objects are skipped.
 */
export function deepFreeze<T>(value: T): T {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return value;
  freezeTree(value as object);
  return value;
}

/** Freezes `value` (not frozen yet) and its unfrozen descendants; primitives cost no call. */
function freezeTree(value: object): void {
  Object.freeze(value);
  for (const child of Object.values(value) as unknown[]) {
    if (typeof child === 'object' && child !== null && !Object.isFrozen(child)) freezeTree(child);
  }
}
