import { describeError } from '../errors/opkit-error.js';
import type { Clock, Timer } from '../util/clock.js';
import { startDeadline } from './deadline.js';

/**
 * What the client knows about the API server:
 * - `healthy`: requests get answers;
 * - `suspect`: something failed to get an answer (a connection error, a deadline, a stalled
 *   watch) and a `/readyz` probe is on its way;
 * - `unreachable`: a probe failed too (no answer, or not ready): an outage.
 */
export type ServerHealthState = 'healthy' | 'suspect' | 'unreachable';

/** Options of {@link ServerHealth}. */
export interface ServerHealthOptions {
  readonly clock: Clock;
  /**
   * One probe of the server (the transport's: `GET /readyz` on a connection of its own); resolves
   * true when the server answered ready (200). Must honour `signal` (the probe's deadline).
   */
  readonly probe: (signal: AbortSignal) => Promise<boolean>;
  /** Pause between failed probes, in ms (default 250). */
  readonly probeIntervalMs?: number;
  /** Deadline of each probe, in ms (default 1000). */
  readonly probeTimeoutMs?: number;
  /** Called on every state change, with what caused it. */
  readonly onChange?: (state: ServerHealthState, cause: unknown) => void;
}

/**
 * The client's view of the API server's health, shared by the watchers and controllers on one
 * transport. A failure report starts `/readyz` probes; the first failed probe confirms an outage,
 * and the first ready answer after that ends it and wakes everyone waiting in
 * {@link ServerHealth.recovered}.
 *
 * Guarantees: at most one probe runs at a time, however many failures are reported; probing stops
 * once the server is healthy (and after {@link ServerHealth.close}); a reported failure that the
 * first probe finds unfounded (the server answers ready) is a false alarm and wakes nobody, so
 * callers keep their own backoff for errors that are not outages.
 * Caveats: a ready `/readyz` does not mean every request will succeed (RBAC, admission, a
 * path-specific fault); it means the server is reachable again.
 */
export class ServerHealth {
  readonly #clock: Clock;
  readonly #probe: (signal: AbortSignal) => Promise<boolean>;
  readonly #intervalMs: number;
  readonly #timeoutMs: number;
  readonly #onChange: ((state: ServerHealthState, cause: unknown) => void) | undefined;
  readonly #listeners = new Set<() => void>();
  #state: ServerHealthState = 'healthy';
  #probing = false;
  #closed = false;
  #timer: Timer | undefined;
  #outageStartedAt: number | undefined;
  #lastOutageMs = 0;

  constructor(options: ServerHealthOptions) {
    this.#clock = options.clock;
    this.#probe = options.probe;
    this.#intervalMs = options.probeIntervalMs ?? 250;
    this.#timeoutMs = options.probeTimeoutMs ?? 1000;
    this.#onChange = options.onChange;
  }

  get state(): ServerHealthState {
    return this.#state;
  }

  /** Whether an outage is confirmed now (a probe failed and none succeeded since). */
  get outage(): boolean {
    return this.#state === 'unreachable';
  }

  /** How long the last finished outage lasted, in ms (0 before the first). */
  get lastOutageMs(): number {
    return this.#lastOutageMs;
  }

  /** Reports that a request got no answer; starts probing unless a probe is already running. */
  reportFailure(cause: unknown): void {
    if (this.#closed) return;
    if (this.#state === 'healthy') this.#set('suspect', cause);
    if (!this.#probing) void this.#probeLoop();
  }

  /** Reports that a request succeeded (2xx/3xx): ends an outage at once, without waiting for a probe. */
  reportAnswer(): void {
    if (this.#state === 'unreachable') this.#recover('a request got an answer');
  }

  /**
   * Calls `fn` each time an outage ends (the server answers ready after a failed probe).
   * @returns a function that removes the listener.
   */
  onRecovered(fn: () => void): () => void {
    this.#listeners.add(fn);
    return () => this.#listeners.delete(fn);
  }

  /**
   * Resolves when the next outage ends (see {@link ServerHealth.onRecovered}); never resolves for a
   * false alarm. Resolves `false` when `signal` aborts first.
   */
  recovered(signal?: AbortSignal): Promise<boolean> {
    return new Promise((resolve) => {
      if (signal?.aborted) return resolve(false);
      const done = (value: boolean): void => {
        remove();
        signal?.removeEventListener('abort', onAbort);
        resolve(value);
      };
      const onAbort = (): void => done(false);
      const remove = this.onRecovered(() => done(true));
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Stops probing; later reports are ignored. */
  close(): void {
    this.#closed = true;
    this.#timer?.cancel();
  }

  async #probeLoop(): Promise<void> {
    this.#probing = true;
    try {
      while (!this.#closed && this.#state !== 'healthy') {
        let ready = false;
        let cause: unknown = 'the server did not answer ready';
        const deadline = startDeadline({ clock: this.#clock, ms: this.#timeoutMs });
        try {
          ready = await this.#probe(deadline.signal);
        } catch (err) {
          cause = deadline.expired ? `no answer within ${this.#timeoutMs} ms` : describeError(err);
        } finally {
          deadline.cancel();
        }
        if (this.#closed) return;
        if (ready) {
          if (this.#state === 'unreachable') this.#recover('/readyz answered ok');
          else this.#set('healthy', 'false alarm: /readyz answered ok');
          return;
        }
        if (this.#state !== 'unreachable') {
          this.#outageStartedAt = this.#clock.now();
          this.#set('unreachable', cause);
        }
        await new Promise<void>((resolve) => (this.#timer = this.#clock.setTimer(this.#intervalMs, resolve)));
      }
    } finally {
      this.#probing = false;
    }
  }

  #recover(cause: string): void {
    this.#lastOutageMs = this.#clock.now() - (this.#outageStartedAt ?? this.#clock.now());
    this.#outageStartedAt = undefined;
    this.#set('healthy', cause);
    for (const fn of [...this.#listeners]) {
      try {
        fn();
      } catch {
        // a listener's failure must not keep the others from waking
      }
    }
  }

  #set(state: ServerHealthState, cause: unknown): void {
    this.#state = state;
    this.#onChange?.(state, cause);
  }
}
