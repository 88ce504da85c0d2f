/**
 * Retry delays for the watcher: exponential with jitter, and injectable so tests can make them
 * deterministic.
 */

/** A stateful sequence of retry delays. */
export interface Backoff {
  /** The delay before the next attempt, in ms; grows with every call until {@link Backoff.reset}. */
  next(): number;
  /** Starts the sequence over (called after a success). */
  reset(): void;
}

/** Options of {@link exponentialBackoff}. */
export interface BackoffOptions {
  /** First delay in ms (default 800). */
  readonly initialMs?: number;
  /** Largest delay in ms (default 30 000). */
  readonly maxMs?: number;
  /** Growth factor per attempt (default 2). */
  readonly factor?: number;
  /** Each delay is scaled by a random factor in [1 − jitter, 1 + jitter] (default 0.25; 0 disables). */
  readonly jitter?: number;
  /** Random numbers in [0, 1) for the jitter (default `Math.random`). */
  readonly random?: () => number;
}

/**
 * How a component that creates many watchers gets their backoffs: options (each watcher gets its
 * own {@link exponentialBackoff}) or a factory called once per watcher.
 */
export type BackoffSpec = BackoffOptions | (() => Backoff);

/**
 * 800 ms → 1.6 s → 3.2 s … capped at 30 s, each ±25 % (kube-rs' default).
 *
 * Guarantees: every delay is within [0, maxMs]; the nominal delay grows by `factor` per call and
 * `reset()` restarts from `initialMs`.
 */
export function exponentialBackoff(options: BackoffOptions = {}): Backoff {
  const initialMs = options.initialMs ?? 800;
  const maxMs = options.maxMs ?? 30_000;
  const factor = options.factor ?? 2;
  const jitter = options.jitter ?? 0.25;
  const random = options.random ?? Math.random;
  let nominal = initialMs;
  return {
    next(): number {
      const base = Math.min(nominal, maxMs);
      nominal = Math.min(nominal * factor, maxMs);
      const scaled = base * (1 - jitter + 2 * jitter * random());
      return Math.round(Math.max(0, Math.min(maxMs, scaled)));
    },
    reset(): void {
      nominal = initialMs;
    },
  };
}

/** A fresh {@link Backoff} from a {@link BackoffSpec} (default: {@link exponentialBackoff} defaults). */
export function createBackoff(spec: BackoffSpec | undefined): Backoff {
  return typeof spec === 'function' ? spec() : exponentialBackoff(spec);
}
