import { isConflict } from '../client/errors.js';
import { realClock, sleep, type Clock } from '../util/clock.js';

/** client-go's `wait.Backoff`: `steps` attempts, waiting `durationMs × factor^i` (± jitter) between them. */
export interface Backoff {
  /** Number of attempts (≥ 1). */
  readonly steps: number;
  /** The first wait, in ms. */
  readonly durationMs: number;
  /** Multiplier of the wait after each attempt (1 = constant). */
  readonly factor: number;
  /** Each wait is `d + random × jitter × d`. */
  readonly jitter: number;
  /** Upper bound of the wait, in ms (0 = none); the wait stays there (client-go would stop retrying). */
  readonly capMs?: number;
}

/** client-go's `retry.DefaultRetry`: 5 attempts, 10 ms apart (factor 1, jitter 0.1). For conflicts. */
export const DefaultRetry: Backoff = Object.freeze({ steps: 5, durationMs: 10, factor: 1, jitter: 0.1 });

/** client-go's `retry.DefaultBackoff`: 4 attempts, 10 ms × 5^i (jitter 0.1). For slower failures. */
export const DefaultBackoff: Backoff = Object.freeze({ steps: 4, durationMs: 10, factor: 5, jitter: 0.1 });

/** Options of {@link retryOnConflict} and {@link retryOnError}. */
export interface RetryOptions {
  /** Default {@link DefaultRetry}. */
  readonly backoff?: Backoff;
  /** Default {@link realClock}. */
  readonly clock?: Clock;
  /** Stops waiting between attempts (rejects with the signal's reason). */
  readonly signal?: AbortSignal;
  /** Random source in [0, 1) for the jitter (default `Math.random`). */
  readonly random?: () => number;
}

/**
 * client-go's `retry.OnError`: runs `fn`; while it throws an error `isRetriable` accepts and
 * attempts remain, waits the next backoff step and runs it again.
 *
 * Guarantees: at most `backoff.steps` calls of `fn`; resolves with the first success; rejects with
 * the first non-retriable error at once, or with the last retriable error when attempts run out.
 * Caveats: `fn` must re-read what it writes on every attempt (that is what makes a retry useful).
 */
export async function retryOnError<T>(isRetriable: (err: unknown) => boolean, fn: () => Promise<T> | T, options: RetryOptions = {}): Promise<T> {
  const backoff = options.backoff ?? DefaultRetry;
  const clock = options.clock ?? realClock;
  const random = options.random ?? Math.random;
  let duration = backoff.durationMs;
  let steps = Math.max(1, Math.floor(backoff.steps));
  for (;;) {
    try {
      return await fn();
    } catch (err) {
      if (!isRetriable(err) || steps <= 1) throw err;
    }
    steps--;
    let wait = duration;
    if (backoff.factor !== 0) duration *= backoff.factor;
    if (backoff.capMs !== undefined && backoff.capMs > 0) duration = Math.min(duration, backoff.capMs);
    if (backoff.jitter > 0) wait += random() * backoff.jitter * wait;
    await sleep(clock, wait, options.signal);
  }
}

/**
 * client-go's `retry.RetryOnConflict`: {@link retryOnError} for 409 Conflicts (a stale
 * resourceVersion). Wrap a read-modify-write: `await retryOnConflict(async () => { const o = await
 * client.get(...); mutate(o); await client.update(R, o); })`.
 */
export function retryOnConflict<T>(fn: () => Promise<T> | T, options: RetryOptions = {}): Promise<T> {
  return retryOnError(isConflict, fn, options);
}
