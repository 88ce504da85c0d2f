import { realClock } from '../util/clock.js';
import { DelayingQueue, type DelayingQueueOptions } from './delaying.js';
import { WorkqueueError } from './errors.js';
import { defaultControllerRateLimiter, type RateLimiter, type RateLimitOptions } from './rate-limiter.js';

/** Options of {@link RateLimitingQueue}. */
export interface RateLimitingQueueOptions extends DelayingQueueOptions {
  /**
   * Tunes the default limiter, the max of a per-key exponential backoff and an overall token
   * bucket. Defaults: `baseDelayMs` 5, `maxDelayMs` 1 000 000 (1000 s), `qps` 10, `burst` 100.
   */
  readonly rateLimit?: RateLimitOptions;
  /** Replaces the default limiter entirely; cannot be combined with `rateLimit`. */
  readonly rateLimiter?: RateLimiter;
}

/**
 * The queue a controller uses: a {@link DelayingQueue} whose retries are delayed by a
 * {@link RateLimiter} (by default {@link defaultControllerRateLimiter} on the queue's clock).
 *
 * Guarantees: `addRateLimited(key)` waits `limiter.when(key)` — by default the max of the key's
 * exponential backoff and the overall token bucket — with {@link DelayingQueue.addAfter}'s
 * earliest-wins rule; {@link forget} resets the key's backoff.
 * Caveats: call {@link forget} after a key succeeds or is deleted; the limiter remembers every key
 * that failed until then.
 */
export class RateLimitingQueue extends DelayingQueue {
  readonly #limiter: RateLimiter;

  /** @throws {WorkqueueError} `InvalidOptions` when both `rateLimit` and `rateLimiter` are given, or a limit is out of range. */
  constructor(options: RateLimitingQueueOptions = {}) {
    super(options);
    if (options.rateLimiter !== undefined && options.rateLimit !== undefined) {
      throw new WorkqueueError({
        reason: 'InvalidOptions',
        message: 'pass either rateLimit (to tune the default limiter) or rateLimiter (to replace it), not both',
      });
    }
    this.#limiter =
      options.rateLimiter ?? defaultControllerRateLimiter({ ...options.rateLimit, clock: options.clock ?? realClock });
  }

  /** Adds `key` after the delay the rate limiter gives it, recording one more failure of it. */
  addRateLimited(key: string): void {
    if (this.shuttingDown) return;
    this.addAfter(key, this.#limiter.when(key));
  }

  /**
   * Like {@link addRateLimited}, but waits at least `minMs` (a server's `Retry-After`): the delay
   * is the larger of the two, and the failure is recorded as usual.
   */
  addRateLimitedAtLeast(key: string, minMs: number): void {
    if (this.shuttingDown) return;
    this.addAfter(key, Math.max(minMs, this.#limiter.when(key)));
  }

  /** Resets `key`'s backoff, so its next {@link addRateLimited} waits the base delay again. */
  forget(key: string): void {
    this.#limiter.forget(key);
  }

  /** How many times `key` has been rate-limited since it was last forgotten. */
  numRequeues(key: string): number {
    return this.#limiter.numRequeues(key);
  }
}
