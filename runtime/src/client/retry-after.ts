import { sleep, type Clock } from '../util/clock.js';
import { linkAbort } from '../lifecycle/abort.js';
import type { ResponseHeaders } from './errors.js';

/** Longest `Retry-After` honoured, in ms: a server asking for more is waited on for this long (10 min). */
export const MAX_RETRY_AFTER_MS = 600_000;

/**
 * Parses a `Retry-After` header value: delay-seconds (`"3"`) or an HTTP-date, relative to `nowMs`.
 * Returns ms (at least 0, at most {@link MAX_RETRY_AFTER_MS}); undefined when absent or not valid.
 *
 * Guarantees: fractional or negative seconds, garbage and dates that do not parse give undefined;
 * a date in the past gives 0.
 */
export function parseRetryAfter(value: string | readonly string[] | undefined, nowMs: number): number | undefined {
  const raw = (Array.isArray(value) ? value[0] : value) as string | undefined;
  if (raw === undefined) return undefined;
  const text = raw.trim();
  if (/^\d+$/.test(text)) return Math.min(Number(text) * 1000, MAX_RETRY_AFTER_MS);
  if (!/[a-z]/i.test(text)) return undefined;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.min(Math.max(0, at - nowMs), MAX_RETRY_AFTER_MS);
}

/** The `Retry-After` of a response, in ms, when its status is 429 or 503 (other statuses' header is ignored). */
export function retryAfterFromResponse(status: number, headers: ResponseHeaders, nowMs: number): number | undefined {
  if (status !== 429 && status !== 503) return undefined;
  return parseRetryAfter(headers['retry-after'], nowMs);
}

/**
 * Per-path "not before" times from `Retry-After` answers: after a 429/503 asked to wait on a path,
 * no request to that path leaves before the time is up — whoever sends it (a reconcile, the watcher,
 * a retry).
 *
 * Guarantees: a later, shorter `Retry-After` never shortens a wait already noted; expired entries
 * are dropped, so the map holds only paths that are being waited on now.
 */
export class RetryAfterGate {
  readonly #clock: Clock;
  readonly #notBefore = new Map<string, { until: number; duringOutage: boolean }>();
  readonly #wake = new Set<() => void>();

  constructor(options: { readonly clock: Clock }) {
    this.#clock = options.clock;
  }

  /**
   * Records that `path` may not be requested for `ms`. `duringOutage`: the answer came from a
   * server that was down (starting up, say): {@link RetryAfterGate.endOutage} lifts it.
   */
  note(path: string, ms: number, options: { readonly duringOutage?: boolean } = {}): void {
    const until = this.#clock.now() + ms;
    const current = this.#notBefore.get(path);
    if (until > (current?.until ?? 0)) this.#notBefore.set(path, { until, duringOutage: options.duringOutage ?? false });
  }

  /**
   * The server is ready again: waits noted during the outage are lifted (its `/readyz` answered
   * what their `Retry-After` estimated), and the requests held by them leave now.
   */
  endOutage(): void {
    for (const [path, entry] of this.#notBefore) if (entry.duringOutage) this.#notBefore.delete(path);
    for (const wake of [...this.#wake]) wake();
  }

  /** How long a request to `path` must still wait, in ms (0: it may go now). */
  delayFor(path: string): number {
    const entry = this.#notBefore.get(path);
    if (entry === undefined) return 0;
    const left = entry.until - this.#clock.now();
    if (left <= 0) this.#notBefore.delete(path);
    return Math.max(0, left);
  }

  /** Waits until `path` may be requested; rejects with the signal's reason when it aborts first. */
  async wait(path: string, signal?: AbortSignal): Promise<void> {
    for (let left = this.delayFor(path); left > 0; left = this.delayFor(path)) {
      const woken = new AbortController();
      const wake = (): void => woken.abort();
      this.#wake.add(wake);
      const linked = linkAbort([signal, woken.signal]);
      try {
        await sleep(this.#clock, left, linked.signal);
      } catch (err) {
        if (signal?.aborted) throw err;
      } finally {
        this.#wake.delete(wake);
        linked.dispose();
      }
    }
  }
}
