import type { Client, StatusWriter } from '../client/client.js';
import { LeaderElectionError } from './errors.js';

/**
 * Wraps `client` so that every write first asks `mayWrite()` and fails with a
 * {@link LeaderElectionError} `NotLeader` when it says no; reads pass through.
 *
 * Guarantees: the check runs synchronously before the request is sent, so a process that has
 * lost leadership (including one resumed after a pause past its renew deadline, which
 * `LeaseElector.mayWrite` detects from the clock) sends no further write through this client.
 * Caveats: only writes through this client are fenced; the manager gives it to controllers as
 * `ctx.client`/`mgr.client`, not as `mgr.apiReader`.
 */
export function fencedClient(client: Client, mayWrite: () => boolean): Client {
  const check = (): void => {
    if (!mayWrite()) throw new LeaderElectionError({ reason: 'NotLeader', message: 'write refused: this process has lost leadership' });
  };
  const status: StatusWriter = {
    update: async (resource, object, options) => (check(), client.status.update(resource, object, options)),
    patch: async (resource, key, patch, options) => (check(), client.status.patch(resource, key, patch, options)),
    apply: async (resource, object, options) => (check(), client.status.apply(resource, object, options)),
  };
  return {
    get: (resource, key, options) => client.get(resource, key, options),
    list: (resource, options) => client.list(resource, options),
    create: async (resource, object, options) => (check(), client.create(resource, object, options)),
    update: async (resource, object, options) => (check(), client.update(resource, object, options)),
    patch: async (resource, key, patch, options) => (check(), client.patch(resource, key, patch, options)),
    apply: async (resource, object, options) => (check(), client.apply(resource, object, options)),
    delete: async (resource, key, options) => (check(), client.delete(resource, key, options)),
    status,
  };
}
