import { OpkitError } from '../errors/opkit-error.js';

/**
 * Thrown by a reconciler to say "retrying will not help": the controller logs it, counts it, and
 * does not requeue the key (its backoff is reset). controller-runtime's `reconcile.TerminalError`.
 *
 * Guarantees: never retried by the controller; the key runs again only on a new event (or resync).
 * Caveats: a `TerminalError` wrapped inside another error (as its `cause`) still counts as terminal.
 */
export class TerminalError extends OpkitError {
  declare readonly reason: 'Terminal';

  /** @param options - a message, or `{ message, cause }`. */
  constructor(options: string | { readonly message: string; readonly cause?: unknown }) {
    const { message, cause } = typeof options === 'string' ? { message: options, cause: undefined } : options;
    super({ reason: 'Terminal', message, cause, retryable: false });
  }
}

/** Whether `err`, or any error in its `cause` chain, is a {@link TerminalError}. */
export function isTerminalError(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 16; e = e.cause, depth++) {
    if (e instanceof TerminalError) return true;
  }
  return false;
}

/**
 * Why a controller could not be built or run:
 * - `InvalidBuilder`: the builder is incomplete or inconsistent (no `for()`, bad concurrency, a
 *   name already used, `reconcile()` called twice);
 * - `CacheSyncFailed`: an informer the controller watches could not sync (e.g. the kind is not
 *   served); `cause` is the cache's error;
 * - `Stopped`: the controller stopped; the reason of in-flight reconciles' `ctx.signal` once the
 *   graceful-shutdown window has passed.
 */
export type ControllerErrorReason = 'InvalidBuilder' | 'CacheSyncFailed' | 'Stopped';

/** An error thrown or rejected by a controller. Not retryable: the program must change. */
export class ControllerError extends OpkitError {
  declare readonly reason: ControllerErrorReason;

  constructor(options: { reason: ControllerErrorReason; message: string; cause?: unknown }) {
    super({ ...options, retryable: false });
  }
}
