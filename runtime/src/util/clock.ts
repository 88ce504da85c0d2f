/**
 * Time as an injectable dependency. Every long-running loop in the runtime takes a {@link Clock}
 * so tests can drive time with {@link FakeClock} instead of sleeping.
 */

/** A cancellable timer handle returned by {@link Clock.setTimer}. */
export interface Timer {
  /** Cancels the timer; a no-op once it fired or was cancelled. */
  cancel(): void;
}

/** The source of time for runtime logic. */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
  /**
   * Calls `fn` once after `ms` milliseconds.
   *
   * Caveats: the real clock's timers are `unref`'d, so a pending timer alone never keeps the
   * process alive; whatever awaits it must hold something else open (a socket, a server).
   */
  setTimer(ms: number, fn: () => void): Timer;
}

/** The wall clock: `Date.now()` and unref'd `setTimeout`. */
export const realClock: Clock = {
  // eslint-disable-next-line no-restricted-properties -- the one place that reads the wall clock
  now: () => Date.now(),
  setTimer(ms, fn) {
    const handle = setTimeout(fn, Math.max(0, ms));
    handle.unref();
    return { cancel: () => clearTimeout(handle) };
  },
};

/**
 * Resolves after `ms` milliseconds of `clock` time, or rejects with the signal's reason when
 * `signal` aborts first.
 *
 * Guarantees: the timer is cancelled when the signal aborts, so nothing is left pending.
 */
export function sleep(clock: Clock, ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = (): void => {
      timer.cancel();
      reject(signal?.reason);
    };
    const timer = clock.setTimer(ms, () => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    });
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
