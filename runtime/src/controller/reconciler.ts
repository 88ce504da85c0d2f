import type { Client } from '../client/client.js';
import type { Logger } from '../log/logger.js';
import type { Request } from './handlers.js';

/**
 * What a reconciler gets besides the request.
 *
 * Guarantees: `log` is a child logger whose every line carries `controller`, `kind`, `namespace`,
 * `name` and `reconcileID`; `signal` stays un-aborted while the controller runs and through the
 * graceful-shutdown window, and aborts when that window expires (pass it to long requests).
 */
export interface ReconcileContext {
  /** The manager's client: reads from the cache, writes to the API server. */
  readonly client: Client;
  readonly log: Logger;
  readonly signal: AbortSignal;
  /** A unique id of this reconcile (a UUID), also on every log line as `reconcileID`. */
  readonly reconcileId: string;
  /** The controller's name. */
  readonly controller: string;
}

/**
 * What a reconcile asks for next:
 * - `undefined` (or `{}`): done; the key's backoff is reset;
 * - `{ requeueAfter: ms }` with `ms > 0`: reset backoff and run again after `ms`;
 * - `{ requeue: true }`: run again after the rate limiter's delay (backoff grows).
 * `requeueAfter` wins over `requeue`.
 */
export type ReconcileResult = void | undefined | { readonly requeueAfter?: number; readonly requeue?: boolean };

/**
 * A reconciler: given the key of a primary object, make the world match it. It receives a key,
 * never an event: read the current state (the object may be gone).
 *
 * Guarantees (of the controller): never called twice at once for one key; anything thrown (an
 * `Error` or not) is logged and retried with rate-limited backoff, except a `TerminalError`.
 */
export type Reconciler = (request: Request, context: ReconcileContext) => Promise<ReconcileResult> | ReconcileResult;
