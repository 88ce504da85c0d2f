import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { ControllerMetrics, ReconcileResultLabel } from '../controller/metrics.js';
import type { LeaderElectionMetrics } from '../leader/elector.js';
import type { UnfinishedWork, WorkqueueMetrics } from '../queue/metrics.js';

/** controller-runtime's `controller_runtime_reconcile_time_seconds` buckets. */
export const RECONCILE_TIME_BUCKETS: readonly number[] = Object.freeze([
  0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.25, 1.5, 1.75, 2.0, 2.5, 3.0, 3.5, 4.0, 4.5, 5,
  6, 7, 8, 9, 10, 15, 20, 25, 30, 40, 50, 60,
]);

/** controller-runtime's workqueue latency buckets: `ExponentialBuckets(10e-9, 10, 12)` (10 ns … 1000 s). */
export const WORKQUEUE_BUCKETS: readonly number[] = Object.freeze(Array.from({ length: 12 }, (_, i) => Number((1e-8 * 10 ** i).toPrecision(1))));

const RESULTS: readonly ReconcileResultLabel[] = ['success', 'error', 'requeue', 'requeue_after'];

/** Options of {@link OperatorMetrics}. */
export interface OperatorMetricsOptions {
  /** Where the metrics are registered (default: a new `Registry` of this instance's own). */
  readonly registry?: Registry;
}

/**
 * The Prometheus metrics of one manager, under controller-runtime's names and labels:
 * `controller_runtime_reconcile_total{controller,result}`, `…_reconcile_errors_total`,
 * `…_terminal_reconcile_errors_total`, `…_reconcile_time_seconds` (histogram),
 * `…_max_concurrent_reconciles`, `…_active_workers` (all `{controller}`); `workqueue_depth`,
 * `workqueue_adds_total`, `workqueue_queue_duration_seconds`, `workqueue_work_duration_seconds`,
 * `workqueue_unfinished_work_seconds`, `workqueue_longest_running_processor_seconds`,
 * `workqueue_retries_total` (all `{name}`); `leader_election_master_status{name}`.
 *
 * Guarantees: no global state — every instance has its own registry (prom-client's default
 * registry is never touched), so two managers in one process do not collide; label children are
 * cached, so a hook costs a map lookup and an add; `controller_runtime_reconcile_total` starts at
 * 0 for every result once a controller starts, as in controller-runtime.
 * Caveats: register your own metrics on {@link OperatorMetrics.registry}.
 */
export class OperatorMetrics {
  /** The registry `/metrics` serves; register your own metrics here. */
  readonly registry: Registry;
  /** The controllers' sink. */
  readonly controller: ControllerMetrics;
  /** The leader elector's sink. */
  readonly leaderElection: LeaderElectionMetrics;
  readonly #probes = new Map<string, () => UnfinishedWork>();
  readonly #workqueue: {
    depth: Gauge<'name'>;
    adds: Counter<'name'>;
    latency: Histogram<'name'>;
    work: Histogram<'name'>;
    retries: Counter<'name'>;
  };

  constructor(options: OperatorMetricsOptions = {}) {
    const registry = (this.registry = options.registry ?? new Registry());
    const registers = [registry];
    const total = new Counter({ name: 'controller_runtime_reconcile_total', help: 'Total number of reconciliations per controller', labelNames: ['controller', 'result'] as const, registers });
    const errors = new Counter({ name: 'controller_runtime_reconcile_errors_total', help: 'Total number of reconciliation errors per controller', labelNames: ['controller'] as const, registers });
    const terminal = new Counter({ name: 'controller_runtime_terminal_reconcile_errors_total', help: 'Total number of terminal reconciliation errors per controller', labelNames: ['controller'] as const, registers });
    const time = new Histogram({ name: 'controller_runtime_reconcile_time_seconds', help: 'Length of time per reconciliation per controller', labelNames: ['controller'] as const, buckets: [...RECONCILE_TIME_BUCKETS], registers });
    const maxConcurrent = new Gauge({ name: 'controller_runtime_max_concurrent_reconciles', help: 'Maximum number of concurrent reconciles per controller', labelNames: ['controller'] as const, registers });
    const active = new Gauge({ name: 'controller_runtime_active_workers', help: 'Number of currently used workers per controller', labelNames: ['controller'] as const, registers });
    const master = new Gauge({ name: 'leader_election_master_status', help: 'Gauge of if the reporting system is master of the relevant lease, 0 indicates backup, 1 indicates master. \'name\' is the string used to identify the lease. Please make sure to group by name.', labelNames: ['name'] as const, registers });
    const child = <C>(make: (key: string) => C): ((key: string) => C) => {
      const cache = new Map<string, C>();
      return (key) => {
        let c = cache.get(key);
        if (c === undefined) cache.set(key, (c = make(key)));
        return c;
      };
    };
    const totalOf = child((k) => {
      const [controller = '', result = ''] = k.split('\0');
      return total.labels(controller, result);
    });
    const errorsOf = child((c) => errors.labels(c));
    const terminalOf = child((c) => terminal.labels(c));
    const timeOf = child((c) => time.labels(c));
    const activeOf = child((c) => active.labels(c));
    this.controller = {
      reconcileTotal: (controller, result) => totalOf(`${controller}\0${result}`).inc(),
      reconcileError: (controller) => errorsOf(controller).inc(),
      terminalReconcileError: (controller) => terminalOf(controller).inc(),
      reconcileTime: (controller, seconds) => timeOf(controller).observe(seconds),
      activeWorkers: (controller, count) => activeOf(controller).set(count),
      maxConcurrentReconciles: (controller, count) => {
        maxConcurrent.labels(controller).set(count);
        for (const result of RESULTS) totalOf(`${controller}\0${result}`).inc(0);
        errorsOf(controller).inc(0);
        terminalOf(controller).inc(0);
      },
    };
    this.leaderElection = { leading: (name, isLeading) => master.labels(name).set(isLeading ? 1 : 0) };
    const probes = this.#probes;
    const collectFrom = (pick: (w: UnfinishedWork) => number) =>
      function (this: Gauge<'name'>): void {
        for (const [name, probe] of probes) this.labels(name).set(pick(probe()) / 1000);
      };
    new Gauge({ name: 'workqueue_unfinished_work_seconds', help: 'How many seconds of work has been done that is in progress and hasn\'t been observed by work_duration. Large values indicate stuck threads. One can deduce the number of stuck threads by observing the rate at which this increases.', labelNames: ['name'] as const, registers, collect: collectFrom((w) => w.totalMs) });
    new Gauge({ name: 'workqueue_longest_running_processor_seconds', help: 'How many seconds has the longest running processor for workqueue been running.', labelNames: ['name'] as const, registers, collect: collectFrom((w) => w.longestMs) });
    this.#workqueue = {
      depth: new Gauge({ name: 'workqueue_depth', help: 'Current depth of workqueue', labelNames: ['name'] as const, registers }),
      adds: new Counter({ name: 'workqueue_adds_total', help: 'Total number of adds handled by workqueue', labelNames: ['name'] as const, registers }),
      latency: new Histogram({ name: 'workqueue_queue_duration_seconds', help: 'How long in seconds an item stays in workqueue before being requested', labelNames: ['name'] as const, buckets: [...WORKQUEUE_BUCKETS], registers }),
      work: new Histogram({ name: 'workqueue_work_duration_seconds', help: 'How long in seconds processing an item from workqueue takes.', labelNames: ['name'] as const, buckets: [...WORKQUEUE_BUCKETS], registers }),
      retries: new Counter({ name: 'workqueue_retries_total', help: 'Total number of retries handled by workqueue', labelNames: ['name'] as const, registers }),
    };
  }

  /**
   * The `workqueue_*` sink of the queue called `name` (the controller's name).
   * Guarantees: label children are resolved once, here; the hooks do no lookups.
   */
  workqueue(name: string): WorkqueueMetrics {
    const w = this.#workqueue;
    const depth = w.depth.labels(name);
    const adds = w.adds.labels(name);
    const latency = w.latency.labels(name);
    const work = w.work.labels(name);
    const retries = w.retries.labels(name);
    depth.set(0);
    adds.inc(0);
    retries.inc(0);
    return {
      add: () => adds.inc(),
      depth: (n) => depth.set(n),
      latency: (ms) => latency.observe(ms / 1000),
      workDuration: (ms) => work.observe(ms / 1000),
      retry: () => retries.inc(),
      unfinishedWork: (probe) => void this.#probes.set(name, probe),
    };
  }

  /** The Prometheus text exposition of every registered metric. */
  scrape(): Promise<string> {
    return this.registry.metrics();
  }
}
