import type { Client, Reader } from '../client/client.js';
import { deepCopy } from '../util/deep-copy.js';

/** Options of {@link cachedClient}. */
export interface CachedClientOptions {
  /** Where reads go (the manager's cache). */
  readonly reader: Reader;
  /** Where writes (and status writes) go (a client of the API server). */
  readonly writer: Client;
  /**
   * Return the reader's shared (deep-frozen) objects from `get`/`list` instead of private copies,
   * unless a read asks otherwise: controller-runtime's `UnsafeDisableDeepCopy` for every read
   * (default false: every read returns a private copy).
   */
  readonly unsafeDisableDeepCopy?: boolean;
}

/**
 * controller-runtime's default client: `get`/`list` are answered by the cache, writes go to the
 * API server.
 *
 * Guarantees: `get`/`list` return private deep copies (as controller-runtime does), so the usual
 * get → change → update works, unless `unsafeDisableDeepCopy` (per client or per read) asks for the
 * cache's shared, frozen objects; writes are exactly the API client's (same errors, same answers).
 * Caveats: reads may be stale — an object you just wrote may not be in the cache yet (the watch
 * event has not arrived); read through the manager's `apiReader` when that matters, and rely on
 * `resourceVersion` conflicts for safety. A copy costs about 4 µs for a typical object; listing
 * thousands of objects in a hot path is where `unsafeDisableDeepCopy: true` pays.
 */
export function cachedClient(options: CachedClientOptions): Client {
  const { reader, writer } = options;
  const shared = options.unsafeDisableDeepCopy ?? false;
  return {
    async get(resource, key, opts) {
      const object = await reader.get(resource, key, opts);
      return (opts?.unsafeDisableDeepCopy ?? shared) ? object : deepCopy(object);
    },
    async list(resource, opts) {
      const objects = await reader.list(resource, opts);
      return (opts?.unsafeDisableDeepCopy ?? shared) ? objects : objects.map((object) => deepCopy(object));
    },
    create: (resource, object, opts) => writer.create(resource, object, opts),
    update: (resource, object, opts) => writer.update(resource, object, opts),
    patch: (resource, key, patch, opts) => writer.patch(resource, key, patch, opts),
    apply: (resource, object, opts) => writer.apply(resource, object, opts),
    delete: (resource, key, opts) => writer.delete(resource, key, opts),
    status: writer.status,
  };
}
