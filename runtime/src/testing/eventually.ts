import { describeError, OpkitError } from '../errors/opkit-error.js';
import { realClock, sleep, type Clock } from '../util/clock.js';

/** What {@link eventually} hands each attempt. */
export interface AttemptInfo {
  /** 1 for the first call of the check. */
  readonly attempt: number;
  /** Aborts when the deadline passes (or `options.signal` aborts): pass it to requests. */
  readonly signal: AbortSignal;
}

/** Options of {@link eventually}. */
export interface EventuallyOptions {
  /** Give up this long after the first attempt started, in ms (default 30 000). */
  readonly timeoutMs?: number;
  /** Wait this long between the end of one attempt and the start of the next, in ms (default 100). */
  readonly intervalMs?: number;
  /** What is awaited, for the failure message, e.g. `Ready condition of widget a` (default `the check`). */
  readonly description?: string;
  /** Source of time for the deadline and the interval (default the wall clock). */
  readonly clock?: Clock;
  /** Stops polling at once: `eventually` rejects with the signal's reason. */
  readonly signal?: AbortSignal;
}

/** The check did not pass before the deadline; `cause` is the last error it threw, if any. */
export class EventuallyTimeoutError extends OpkitError {
  declare readonly reason: 'Timeout';
  /** How many times the check ran. */
  readonly attempts: number;

  constructor(options: { message: string; attempts: number; cause?: unknown }) {
    super({ reason: 'Timeout', message: options.message, cause: options.cause, retryable: false });
    this.attempts = options.attempts;
  }
}

const NOT_YET = Symbol('not yet');

/**
 * Polls `check` until it passes, like Gomega's `Eventually`: a check passes when it returns (or
 * resolves) without throwing and with anything but `false`. Write it with assertions —
 * `await eventually(async () => expect((await get()).status?.phase).toBe('Ready'))` — or as a
 * predicate returning a boolean; `eventually` resolves with what the passing attempt returned.
 *
 * Guarantees: attempts never overlap; between attempts it waits `intervalMs` of `clock` time; once
 * `timeoutMs` passed it rejects with {@link EventuallyTimeoutError} at once, even while an attempt
 * hangs (that attempt's `signal` aborts), and the error's message names `description`, the number
 * of attempts and the last error's message, its `cause` the last error itself (stack included).
 * Caveats: with a fake clock, time moves only when the test advances it.
 * @throws {EventuallyTimeoutError} on timeout; the signal's reason when `options.signal` aborts.
 */
export async function eventually<T>(check: (info: AttemptInfo) => T | Promise<T>, options: EventuallyOptions = {}): Promise<Exclude<T, false>> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const intervalMs = options.intervalMs ?? 100;
  const clock = options.clock ?? realClock;
  const description = options.description ?? 'the check';
  if (!(timeoutMs >= 0) || !(intervalMs >= 0)) {
    throw new RangeError(`eventually: timeoutMs and intervalMs must be numbers ≥ 0, got ${timeoutMs} and ${intervalMs}`);
  }
  options.signal?.throwIfAborted();
  const deadline = new AbortController();
  const stop = (): void => deadline.abort(options.signal?.reason);
  options.signal?.addEventListener('abort', stop, { once: true });
  const timer = clock.setTimer(timeoutMs, () => deadline.abort(NOT_YET));
  const expired = new Promise<typeof NOT_YET>((resolve) => deadline.signal.addEventListener('abort', () => resolve(NOT_YET), { once: true }));
  let attempts = 0;
  let lastError: unknown;
  let lastValueWasFalse = false;
  try {
    while (!deadline.signal.aborted) {
      attempts++;
      try {
        const outcome = await Promise.race([Promise.resolve(check({ attempt: attempts, signal: deadline.signal })), expired]);
        if (outcome === NOT_YET) break;
        if (outcome !== false) return outcome as Exclude<T, false>;
        lastValueWasFalse = true;
        lastError = undefined;
      } catch (err) {
        if (deadline.signal.aborted) break;
        lastError = err;
        lastValueWasFalse = false;
      }
      try {
        await sleep(clock, intervalMs, deadline.signal);
      } catch {
        break;
      }
    }
    if (options.signal?.aborted) throw options.signal.reason;
    const last = lastError !== undefined ? `; last error: ${describeError(lastError)}` : lastValueWasFalse ? '; the check last returned false' : '; no attempt finished';
    throw new EventuallyTimeoutError({
      message: `eventually: ${description} did not pass within ${timeoutMs} ms (${attempts} attempt${attempts === 1 ? '' : 's'}, every ${intervalMs} ms)${last}`,
      attempts,
      ...(lastError === undefined ? {} : { cause: lastError }),
    });
  } finally {
    timer.cancel();
    options.signal?.removeEventListener('abort', stop);
    if (!deadline.signal.aborted) deadline.abort(NOT_YET);
  }
}
