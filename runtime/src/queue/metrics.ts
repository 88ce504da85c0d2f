/** A snapshot of the work currently held by workers, read when metrics are scraped. */
export interface UnfinishedWork {
  /** Sum over processing keys of how long each has been processing, in ms. */
  readonly totalMs: number;
  /** How long the longest-processing key has been processing, in ms (0 when idle). */
  readonly longestMs: number;
}

/**
 * Where a workqueue reports what it does, one hook per controller-runtime `workqueue_*` metric.
 * A Prometheus layer implements it per queue (with the queue name as a label); the default is
 * {@link noopWorkqueueMetrics}.
 *
 * Guarantees: hooks are called synchronously from the queue operation that caused them; when the
 * queue is created without a sink it never reads the clock for metrics.
 * Caveats: hooks must be cheap and must not throw or call back into the queue.
 */
export interface WorkqueueMetrics {
  /** A key was accepted by `add` (not a no-op): `workqueue_adds_total`. */
  add(): void;
  /** The number of queued keys changed to `n`: `workqueue_depth`. */
  depth(n: number): void;
  /** A key waited `ms` between becoming dirty and being handed to a worker: `workqueue_queue_duration_seconds`. */
  latency(ms: number): void;
  /** A worker held a key for `ms` between get and done: `workqueue_work_duration_seconds`. */
  workDuration(ms: number): void;
  /** `addAfter` or `addRateLimited` was called: `workqueue_retries_total`. */
  retry(): void;
  /**
   * Called once, when the queue is created, with a probe to read at scrape time for
   * `workqueue_unfinished_work_seconds` (`totalMs`) and
   * `workqueue_longest_running_processor_seconds` (`longestMs`). The probe costs O(keys dirty or processing).
   */
  unfinishedWork(probe: () => UnfinishedWork): void;
}

const noop = (): void => {};

/** A {@link WorkqueueMetrics} that records nothing: the default. */
export const noopWorkqueueMetrics: WorkqueueMetrics = Object.freeze({
  add: noop,
  depth: noop,
  latency: noop,
  workDuration: noop,
  retry: noop,
  unfinishedWork: noop,
});
