import type { Clock } from './clock.js';

/**
 * Resolves when `signal` aborts (at once if it already has).
 * Guarantees: never rejects; the listener is registered with `once`, so nothing lingers after the abort.
 * Caveats: never resolves for a signal that never aborts — race it with something that does.
 */
export function waitForAbort(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}

/**
 * Resolves `true` when `work` settles (fulfilled or rejected) within `ms` of `clock` time, `false`
 * when the time runs out first.
 * Guarantees: never rejects; the timer is cancelled as soon as `work` settles.
 * Caveats: `work` is not cancelled on timeout; abort it yourself.
 */
export function settleWithin(work: Promise<unknown>, clock: Clock, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = clock.setTimer(ms, () => resolve(false));
    const done = (): void => {
      timer.cancel();
      resolve(true);
    };
    work.then(done, done);
  });
}
