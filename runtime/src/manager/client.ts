import type { Client, Reader } from '../client/client.js';

/** Options of {@link cachedClient}. */
export interface CachedClientOptions {
  /** Where reads go (the manager's cache). */
  readonly reader: Reader;
  /** Where writes (and status writes) go (a client of the API server). */
  readonly writer: Client;
}

/**
 * controller-runtime's default client: `get`/`list` are answered by the cache, writes go to the
 * API server.
 *
 * Guarantees: writes are exactly the API client's (same errors, same answers).
 * Caveats: reads may be stale — an object you just wrote may not be in the cache yet (the watch
 * event has not arrived); read through the manager's `apiReader` when that matters, and rely on
 * `resourceVersion` conflicts for safety.
 */
export function cachedClient(options: CachedClientOptions): Client {
  const { reader, writer } = options;
  return {
    get: (resource, key, opts) => reader.get(resource, key, opts),
    list: (resource, opts) => reader.list(resource, opts),
    create: (resource, object, opts) => writer.create(resource, object, opts),
    update: (resource, object, opts) => writer.update(resource, object, opts),
    patch: (resource, key, patch, opts) => writer.patch(resource, key, patch, opts),
    apply: (resource, object, opts) => writer.apply(resource, object, opts),
    delete: (resource, key, opts) => writer.delete(resource, key, opts),
    status: writer.status,
  };
}
