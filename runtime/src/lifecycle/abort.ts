/**
 * Abort signals, the runtime's one stop mechanism: linking a signal to its parents (the one
 * implementation every loop uses), waiting for an abort, and bounding a wait by clock time.
 * @module
 */
import type { Clock } from '../util/clock.js';

/** A signal that aborts when any of its sources does (or when aborted itself), and how to detach it from them. */
export interface LinkedAbort {
  readonly signal: AbortSignal;
  /** Aborts the linked signal (not the sources) with `reason`, and detaches it from the sources. */
  abort(reason?: unknown): void;
  /** Removes the listeners from the sources (call it when done, e.g. in `finally`). */
  dispose(): void;
}

/**
 * Links `sources` into one signal, like `AbortSignal.any`, but abortable on its own (a child scope:
 * a loop stops its own work without stopping its parent) and with explicit disposal, so that loops
 * that link a long-lived signal on every iteration leave no listener behind.
 *
 * Guarantees: aborts synchronously (with the first source's reason) when any source aborts; an
 * already-aborted source aborts it at once; after it aborts, for any reason, no listener stays on a
 * source. Caveats: `undefined` sources are skipped; with none, only `abort()` aborts it.
 */
export function linkAbort(sources: readonly (AbortSignal | undefined)[]): LinkedAbort {
  const ctl = new AbortController();
  const attached: Array<{ source: AbortSignal; listener: () => void }> = [];
  const dispose = (): void => {
    for (const { source, listener } of attached) source.removeEventListener('abort', listener);
    attached.length = 0;
  };
  const abort = (reason?: unknown): void => {
    dispose();
    ctl.abort(reason);
  };
  for (const source of sources) {
    if (source === undefined) continue;
    if (source.aborted) {
      abort(source.reason);
      break;
    }
    const listener = (): void => abort(source.reason);
    source.addEventListener('abort', listener, { once: true });
    attached.push({ source, listener });
  }
  return { signal: ctl.signal, abort, dispose };
}

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
