import { apiErrorIn } from '../client/errors.js';
import type { ServerHealthState } from '../client/health.js';

/**
 * Why a reconcile failed, as far as requeueing is concerned:
 * - `throttled`: the API server answered 429/503 with `Retry-After`: retry no sooner than that
 *   (unless the server was down: then it is an outage, retried when the server is ready);
 * - `outage`: the API server could not be reached (no answer: connection refused or reset, a
 *   deadline), or answered 5xx while the watch was down too: not the reconciler's fault;
 * - `error`: anything else, the reconciler's own failure: exponential backoff.
 */
export type ReconcileFailure =
  | { readonly kind: 'throttled'; readonly retryAfterMs: number }
  | { readonly kind: 'outage' }
  | { readonly kind: 'error' };

/** What {@link classifyFailure} looks at besides the error. */
export interface FailureContext {
  /** The client's view of the API server (see `ServerHealth`); undefined when unknown. */
  readonly serverHealth: ServerHealthState | undefined;
  /** Whether the controller's primary watch is open. */
  readonly watching: boolean;
}

/**
 * Classifies a reconcile error by the first `ApiError` in its cause chain.
 *
 * Guarantees: a `Retry-After` wins over everything (the server said when) — except during a
 * confirmed outage, when the server's recovery answers it (a starting server sends 503s with
 * `Retry-After: 5`, but is ready sooner); an answer-less failure
 * is an outage; a 5xx is an outage only while the server is not known healthy or the watch is down
 * (a 5xx from a healthy server is an error, so its backoff grows); everything else is an error.
 */
export function classifyFailure(err: unknown, context: FailureContext): ReconcileFailure {
  const api = apiErrorIn(err);
  if (!api) return { kind: 'error' };
  if (api.retryAfterMs !== undefined && context.serverHealth !== 'unreachable') return { kind: 'throttled', retryAfterMs: api.retryAfterMs };
  if (api.status === 0 && api.reason !== 'MalformedBody') return { kind: 'outage' };
  if (api.status >= 500 && (context.serverHealth !== 'healthy' || !context.watching)) return { kind: 'outage' };
  return { kind: 'error' };
}

/**
 * Keys whose reconcile failed because of an outage, waiting for the server to come back.
 *
 * Guarantees: `release()` hands back every parked key once and empties the set; a key parked twice
 * is handed back once.
 */
export class ParkedKeys {
  readonly #keys = new Set<string>();

  park(key: string): void {
    this.#keys.add(key);
  }

  /** Forgets `key` (it succeeded, or failed for its own reasons). */
  unpark(key: string): void {
    if (this.#keys.size !== 0) this.#keys.delete(key);
  }

  get size(): number {
    return this.#keys.size;
  }

  release(): string[] {
    const keys = [...this.#keys];
    this.#keys.clear();
    return keys;
  }
}
