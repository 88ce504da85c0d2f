import type { ServerHealth } from '../client/health.js';
import { sleep, type Clock } from '../util/clock.js';
import { linkAbort } from '../lifecycle/abort.js';

/** How a {@link waitToRetry} ended. */
export type RetryWaitOutcome = 'elapsed' | 'recovered' | 'aborted';

/** Options of {@link waitToRetry}. */
export interface RetryWaitOptions {
  readonly clock: Clock;
  readonly signal: AbortSignal;
  /** The backoff delay, in ms: the most this waits. */
  readonly delayMs: number;
  /** The server's `Retry-After`, in ms: the least this waits, outage or not (default 0). */
  readonly notBeforeMs?: number;
  /** When given, the end of an outage ends the wait early (but not before `notBeforeMs`, unless `retryAfterFromOutage`). */
  readonly health?: ServerHealth | undefined;
  /**
   * The `Retry-After` came from a server that was down (a starting server's 503): the end of the
   * outage lifts it too, since `/readyz` answered what it estimated (default false).
   */
  readonly retryAfterFromOutage?: boolean;
}

/**
 * Waits before a retry: the backoff delay, cut short when the API server comes back from an outage
 * (so a reconnect follows the server's `/readyz` by a probe interval, not by up to 30 s of backoff),
 * and never shorter than the server's `Retry-After`.
 *
 * Guarantees: resolves `elapsed`, or `recovered` when an outage ended meanwhile, after at least
 * `notBeforeMs` (unless `retryAfterFromOutage` and the outage ended) and at most
 * `max(delayMs, notBeforeMs)`; resolves `aborted` as soon as `signal` aborts, leaving no timer or listener behind. A false alarm
 * (see {@link ServerHealth}) does not shorten the wait: backoff stays for repeated failures of a
 * server that is up.
 */
export async function waitToRetry(options: RetryWaitOptions): Promise<RetryWaitOutcome> {
  const { clock, signal } = options;
  const floor = Math.max(0, options.notBeforeMs ?? 0);
  const total = Math.max(options.delayMs, floor);
  const outcome = (recovered: boolean): RetryWaitOutcome => (signal.aborted ? 'aborted' : recovered ? 'recovered' : 'elapsed');
  if (total <= 0) return outcome(false);
  const startedAt = clock.now();
  // `finished` releases the loser of the race (the timer or the health listener) once one wins.
  const finished = new AbortController();
  const linked = linkAbort([signal, finished.signal]);
  try {
    const waits: Array<Promise<unknown>> = [sleep(clock, total, linked.signal).catch(() => undefined)];
    if (options.health) waits.push(options.health.recovered(linked.signal));
    const recovered = (await Promise.race(waits)) === true;
    if (recovered && options.retryAfterFromOutage) return outcome(true);
    const left = floor - (clock.now() - startedAt);
    if (left > 0) await sleep(clock, left, linked.signal);
    return outcome(recovered);
  } catch {
    return 'aborted';
  } finally {
    finished.abort();
    linked.dispose();
  }
}
