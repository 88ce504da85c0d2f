/**
 * `@opkit/runtime/cache`: the shared informer cache as building blocks — informers, the store and
 * its indexers, the reflector, selectors, transforms and the cache's errors. A Manager builds and
 * starts one for its controllers; use these to build your own.
 * @packageDocumentation
 */
export type { EventHandler, HandlerRegistration, ReadonlyStore, InformerScope, Informer, IndexFunc, Cache, WatchHealth, InformerWatchHealth } from './types.js';
export { Store, StoreWriter, createStore, objectKey, NAMESPACE_INDEX, type StoreChange, type StoreOptions } from './store.js';
export { reflector, Reflector, type ReflectorOptions, type ReflectorEvent } from './reflector.js';
export { stripManagedFields, deepFreeze, type Transform } from './transform.js';
export { SharedInformer, type SharedInformerOptions, type HandlerOptions, type WatcherTuning } from './informer.js';
export { InformerCache, createCache, type CacheOptions, type CacheTransform, type InformerOverrides } from './cache.js';
export { parseLabelSelector, parseFieldSelector, type LabelSelector, type LabelRequirement, type FieldRequirement } from './selector.js';
export { CacheError, CacheNotStartedError, MissingFieldIndexError, InvalidSelectorError, InformerStoppedError, type CacheErrorReason } from './errors.js';
