import { realClock, type Clock } from '../util/clock.js';
import { checkNumber } from './errors.js';

/**
 * Decides how long a key waits before it is retried. Composable: see {@link MaxOfRateLimiter}.
 */
export interface RateLimiter {
  /** Records one more failure of `key` and returns how long to wait before retrying it, in ms. */
  when(key: string): number;
  /** Stops tracking `key`: its backoff starts over (call after a success). */
  forget(key: string): void;
  /** How many failures of `key` are being tracked (0 for limiters that do not track keys). */
  numRequeues(key: string): number;
}

/** Options of {@link ItemExponentialFailureRateLimiter}. */
export interface ExponentialBackoffOptions {
  /** Delay after the first failure, in ms (default 5). */
  readonly baseDelayMs?: number;
  /** Upper bound of the delay, in ms (default 1 000 000, i.e. 1000 s). */
  readonly maxDelayMs?: number;
}

/**
 * Per-key exponential backoff: `baseDelayMs × 2^(failures so far)`, capped at `maxDelayMs`
 * (client-go's `ItemExponentialFailureRateLimiter`; defaults 5 ms → 1000 s).
 *
 * Caveats: a key's failure count is kept until {@link forget}; callers must forget keys that
 * succeeded or were deleted, or the map grows with every key that ever failed.
 */
export class ItemExponentialFailureRateLimiter implements RateLimiter {
  readonly #baseDelayMs: number;
  readonly #maxDelayMs: number;
  readonly #failures = new Map<string, number>();

  /** @throws {WorkqueueError} `InvalidOptions` for a negative or non-finite delay. */
  constructor(options: ExponentialBackoffOptions = {}) {
    this.#baseDelayMs = options.baseDelayMs ?? 5;
    this.#maxDelayMs = options.maxDelayMs ?? 1_000_000;
    checkNumber('baseDelayMs', this.#baseDelayMs, { min: 0 });
    checkNumber('maxDelayMs', this.#maxDelayMs, { min: 0 });
  }

  when(key: string): number {
    const failures = this.#failures.get(key) ?? 0;
    this.#failures.set(key, failures + 1);
    const delay = this.#baseDelayMs * 2 ** failures;
    return delay > this.#maxDelayMs ? this.#maxDelayMs : delay;
  }

  forget(key: string): void {
    if (this.#failures.size !== 0) this.#failures.delete(key);
  }

  numRequeues(key: string): number {
    return this.#failures.get(key) ?? 0;
  }
}

/** Options of {@link BucketRateLimiter}. */
export interface BucketOptions {
  /** Sustained rate, in keys per second; `Infinity` disables the limit (default 10). */
  readonly qps?: number;
  /** Keys allowed at once when the bucket is full, an integer ≥ 1 (default 100). */
  readonly burst?: number;
  /** Source of time (default {@link realClock}). */
  readonly clock?: Clock;
}

/**
 * An overall token bucket shared by all keys (client-go's `BucketRateLimiter` over
 * `x/time/rate`): the bucket starts full with `burst` tokens and refills at `qps`; each
 * {@link when} takes a token, and once the bucket is empty it reserves a future token and returns
 * the wait for it.
 *
 * Guarantees: over any window, at most `burst + qps × seconds` keys get a zero delay, and reserved
 * delays grow so that retries are spaced `1000 / qps` ms apart.
 */
export class BucketRateLimiter implements RateLimiter {
  readonly #qps: number;
  readonly #burst: number;
  readonly #clock: Clock;
  #tokens: number;
  #last: number;

  /** @throws {WorkqueueError} `InvalidOptions` for `qps` ≤ 0 or `burst` < 1. */
  constructor(options: BucketOptions = {}) {
    this.#qps = options.qps ?? 10;
    this.#burst = options.burst ?? 100;
    this.#clock = options.clock ?? realClock;
    checkNumber('qps', this.#qps, { min: Number.MIN_VALUE, allowInfinity: true });
    checkNumber('burst', this.#burst, { min: 1, integer: true });
    this.#tokens = this.#burst;
    this.#last = this.#clock.now();
  }

  when(_key: string): number {
    if (this.#qps === Infinity) return 0;
    const now = this.#clock.now();
    const elapsed = Math.max(0, now - this.#last);
    this.#last = Math.max(this.#last, now);
    this.#tokens = Math.min(this.#burst, this.#tokens + (elapsed * this.#qps) / 1000) - 1;
    return this.#tokens >= 0 ? 0 : (-this.#tokens * 1000) / this.#qps;
  }

  forget(_key: string): void {}

  numRequeues(_key: string): number {
    return 0;
  }
}

/** Options of {@link MaxOfRateLimiter}. */
export interface MaxOfOptions {
  /** The limiters to combine; every one of them sees every call. */
  readonly limiters: readonly RateLimiter[];
}

/**
 * The worst of several limiters: `when` is the largest of their delays, `numRequeues` the largest
 * count, and `forget` forgets in all of them (client-go's `MaxOfRateLimiter`).
 */
export class MaxOfRateLimiter implements RateLimiter {
  readonly #limiters: readonly RateLimiter[];

  constructor(options: MaxOfOptions) {
    this.#limiters = [...options.limiters];
  }

  when(key: string): number {
    let max = 0;
    for (const limiter of this.#limiters) max = Math.max(max, limiter.when(key));
    return max;
  }

  forget(key: string): void {
    for (const limiter of this.#limiters) limiter.forget(key);
  }

  numRequeues(key: string): number {
    let max = 0;
    for (const limiter of this.#limiters) max = Math.max(max, limiter.numRequeues(key));
    return max;
  }
}

/** Options of {@link defaultControllerRateLimiter}: the per-key backoff and the overall bucket. */
export interface RateLimitOptions extends ExponentialBackoffOptions, Omit<BucketOptions, 'clock'> {}

/**
 * controller-runtime's default: the max of per-key exponential backoff (5 ms doubling, capped at
 * 1000 s) and an overall token bucket (10 qps, burst 100). Every default can be overridden.
 */
export function defaultControllerRateLimiter(options: RateLimitOptions & { readonly clock?: Clock } = {}): RateLimiter {
  return new MaxOfRateLimiter({
    limiters: [new ItemExponentialFailureRateLimiter(options), new BucketRateLimiter(options)],
  });
}
