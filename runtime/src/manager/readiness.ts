import { gvkString } from '../api/resource.js';
import type { Cache } from '../cache/types.js';
import { describeError } from '../errors/opkit-error.js';
import type { Clock } from '../util/clock.js';

/**
 * The `informer-watch` readiness check: throws, naming each kind and for how long, while any
 * synced informer of `cache` has no open watch (a stall, an outage, a failing list).
 *
 * Guarantees: passes for a cache without {@link Cache.watchHealth} and for informers that never
 * synced (`informer-sync` covers those).
 */
export function eventsFlowing(cache: Cache, clock: Clock): void {
  const down = (cache.watchHealth?.() ?? []).filter((h) => !h.watching);
  if (down.length === 0) return;
  const now = clock.now();
  const parts = down.map((h) => {
    const where = h.scope.namespace ? ` in ${h.scope.namespace}` : '';
    const why = h.lastError === undefined ? '' : `: ${describeError(h.lastError)}`;
    return `${gvkString(h.resource)}${where} has had no watch for ${((now - h.since) / 1000).toFixed(1)} s${why}`;
  });
  throw new Error(`events are not flowing: ${parts.join('; ')}`);
}
