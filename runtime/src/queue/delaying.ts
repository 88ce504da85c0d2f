import { realClock, type Clock, type Timer } from '../util/clock.js';
import { noopWorkqueueMetrics, type WorkqueueMetrics } from './metrics.js';
import { ReadyHeap } from './ready-heap.js';
import { Workqueue, type WorkqueueOptions } from './workqueue.js';

/** Options of {@link DelayingQueue}. */
export type DelayingQueueOptions = WorkqueueOptions;

/**
 * A {@link Workqueue} that can also add a key after a delay, driven by the injected clock.
 *
 * Guarantees:
 * - a key waits at most once: `addAfter` keeps the earliest ready time (a later `addAfter` does not
 *   delay a key already waiting, an earlier one moves it up);
 * - keys become ready in order of ready time, then of scheduling; at most one clock timer is
 *   pending, for the earliest ready time; `addAfter` is O(log n) in the number of waiting keys.
 *
 * Caveats: a waiting key is still added when its time comes even if it was added directly
 * meanwhile (as in client-go), which can cause one extra run; {@link shutDown} drops every waiting
 * key.
 */
export class DelayingQueue extends Workqueue {
  readonly #clock: Clock;
  readonly #metrics: WorkqueueMetrics;
  readonly #waiting = new ReadyHeap();
  #timer: Timer | undefined;
  #timerAt = Infinity;

  constructor(options: DelayingQueueOptions = {}) {
    super(options);
    this.#clock = options.clock ?? realClock;
    this.#metrics = options.metrics ?? noopWorkqueueMetrics;
  }

  /** Number of keys waiting for their delay to elapse. */
  get delayedLength(): number {
    return this.#waiting.size;
  }

  /**
   * Adds `key` once `ms` milliseconds of clock time have elapsed (at once when `ms` ≤ 0 or NaN).
   * Counts as a retry in the metrics.
   *
   * Guarantees: a no-op once shutting down; if `key` is already waiting, it keeps the earlier of the
   * two ready times.
   */
  addAfter(key: string, ms: number): void {
    if (this.shuttingDown) return;
    this.#metrics.retry();
    if (!(ms > 0)) {
      this.add(key);
      return;
    }
    const readyAt = this.#clock.now() + ms;
    this.#waiting.pushEarliest(key, readyAt);
    if (readyAt < this.#timerAt) this.#schedule(readyAt);
  }

  /** Shuts down (see {@link Workqueue.shutDown}), dropping waiting keys and cancelling the timer. */
  override shutDown(): void {
    super.shutDown();
    this.#timer?.cancel();
    this.#timer = undefined;
    this.#timerAt = Infinity;
    this.#waiting.clear();
  }

  #schedule(readyAt: number): void {
    this.#timer?.cancel();
    this.#timerAt = readyAt;
    this.#timer = this.#clock.setTimer(readyAt - this.#clock.now(), () => this.#fire());
  }

  #fire(): void {
    this.#timer = undefined;
    this.#timerAt = Infinity;
    const now = this.#clock.now();
    for (let key = this.#waiting.popReady(now); key !== undefined; key = this.#waiting.popReady(now)) {
      this.add(key);
    }
    const next = this.#waiting.peekReadyAt();
    if (next !== undefined) this.#schedule(next);
  }
}
