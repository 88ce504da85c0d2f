import type { Clock } from '../util/clock.js';
import { linkAbort } from '../lifecycle/abort.js';

/** A deadline on one operation: its signal aborts when the caller's does or when the time is up. */
export interface Deadline {
  /** Aborts when the deadline passes or the parent signal aborts. */
  readonly signal: AbortSignal;
  /** Whether the deadline itself (not the parent signal) aborted `signal`. */
  readonly expired: boolean;
  /** Stops the timer only: `signal` still follows the parent (a watch once its answer arrived). */
  clearTimer(): void;
  /** Stops the timer and detaches from the parent signal (call it in `finally`). */
  cancel(): void;
}

/** Options of {@link startDeadline}. */
export interface DeadlineOptions {
  readonly clock: Clock;
  /** Time allowed, in ms; 0 or `Infinity` means no deadline (only the parent signal aborts). */
  readonly ms: number;
  /** The caller's signal (optional). */
  readonly parent?: AbortSignal | undefined;
  /** Called once when the deadline passes (before `signal` aborts). */
  readonly onExpire?: () => void;
}

/**
 * Starts a deadline on the injected clock.
 *
 * Guarantees: `expired` becomes true only through the timer, never through the parent signal; a
 * cancelled deadline never fires; a parent that already aborted aborts `signal` at once.
 */
export function startDeadline(options: DeadlineOptions): Deadline {
  const own = new AbortController();
  const linked = linkAbort([options.parent, own.signal]);
  let expired = false;
  const timer =
    options.ms > 0 && Number.isFinite(options.ms)
      ? options.clock.setTimer(options.ms, () => {
          expired = true;
          options.onExpire?.();
          own.abort(new Error(`deadline of ${options.ms} ms passed`));
        })
      : undefined;
  return {
    signal: linked.signal,
    get expired() {
      return expired;
    },
    clearTimer() {
      timer?.cancel();
    },
    cancel() {
      timer?.cancel();
      linked.dispose();
    },
  };
}
