import type { Clock, Timer } from '../util/clock.js';

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
  // one controller per deadline (this runs for every request): the parent is followed by a listener
  const own = new AbortController();
  const parent = options.parent;
  let expired = false;
  let timer: Timer | undefined;
  const onParent = (): void => {
    timer?.cancel();
    own.abort(parent?.reason);
  };
  if (parent?.aborted) own.abort(parent.reason);
  else {
    parent?.addEventListener('abort', onParent, { once: true });
    if (options.ms > 0 && Number.isFinite(options.ms)) {
      timer = options.clock.setTimer(options.ms, () => {
        expired = true;
        parent?.removeEventListener('abort', onParent);
        options.onExpire?.();
        own.abort(new Error(`deadline of ${options.ms} ms passed`));
      });
    }
  }
  return {
    signal: own.signal,
    get expired() {
      return expired;
    },
    clearTimer() {
      timer?.cancel();
    },
    cancel() {
      timer?.cancel();
      parent?.removeEventListener('abort', onParent);
    },
  };
}
