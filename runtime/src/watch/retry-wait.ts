import type { ServerHealth } from '../client/health.js';
import { sleep, type Clock } from '../util/clock.js';
import { linkAbort } from '../util/linked-abort.js';

/** Options of {@link waitToRetry}. */
export interface RetryWaitOptions {
  readonly clock: Clock;
  readonly signal: AbortSignal;
  /** The backoff delay, in ms: the most this waits. */
  readonly delayMs: number;
  /** The server's `Retry-After`, in ms: the least this waits, outage or not (default 0). */
  readonly notBeforeMs?: number;
  /** When given, the end of an outage ends the wait early (but not before `notBeforeMs`). */
  readonly health?: ServerHealth | undefined;
}

/**
 * Waits before a retry: the backoff delay, cut short when the API server comes back from an outage
 * (so a reconnect follows the server's `/readyz` by a probe interval, not by up to 30 s of backoff),
 * and never shorter than the server's `Retry-After`.
 *
 * Guarantees: resolves true after at least `notBeforeMs` and at most `max(delayMs, notBeforeMs)`;
 * resolves false as soon as `signal` aborts, leaving no timer or listener behind. A false alarm
 * (see {@link ServerHealth}) does not shorten the wait: backoff stays for repeated failures of a
 * server that is up.
 */
export async function waitToRetry(options: RetryWaitOptions): Promise<boolean> {
  const { clock, signal } = options;
  const floor = Math.max(0, options.notBeforeMs ?? 0);
  const total = Math.max(options.delayMs, floor);
  if (total <= 0) return !signal.aborted;
  const startedAt = clock.now();
  // `finished` releases the loser of the race (the timer or the health listener) once one wins.
  const finished = new AbortController();
  const linked = linkAbort([signal, finished.signal]);
  try {
    const waits: Array<Promise<unknown>> = [sleep(clock, total, linked.signal).catch(() => undefined)];
    if (options.health) waits.push(options.health.recovered(linked.signal));
    await Promise.race(waits);
    const left = floor - (clock.now() - startedAt);
    if (left > 0) await sleep(clock, left, linked.signal);
    return !signal.aborted;
  } catch {
    return false;
  } finally {
    finished.abort();
    linked.dispose();
  }
}
