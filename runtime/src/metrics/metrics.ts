import type { Gauge, Registry } from 'prom-client';
import type { ControllerMetrics, ReconcileResultLabel } from '../controller/metrics.js';
import type { LeaderElectionMetrics } from '../leader/elector.js';
import type { UnfinishedWork, WorkqueueMetrics } from '../queue/metrics.js';
import { counterFamily, gaugeFamily, histogramFamily, type ScalarChild } from './families.js';
import { LazyRegistry } from './lazy-registry.js';

/** controller-runtime's `controller_runtime_reconcile_time_seconds` buckets. */
export const RECONCILE_TIME_BUCKETS: readonly number[] = Object.freeze([
  0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.25, 1.5, 1.75, 2.0, 2.5, 3.0, 3.5, 4.0, 4.5, 5,
  6, 7, 8, 9, 10, 15, 20, 25, 30, 40, 50, 60,
]);

/** controller-runtime's workqueue latency buckets: `ExponentialBuckets(10e-9, 10, 12)` (10 ns … 1000 s). */
export const WORKQUEUE_BUCKETS: readonly number[] = Object.freeze(Array.from({ length: 12 }, (_, i) => Number((1e-8 * 10 ** i).toPrecision(1))));

/** One controller's series, resolved once: the hooks only update fields. */
interface ControllerSeries {
  readonly name: string;
  readonly results: Readonly<Record<ReconcileResultLabel, ScalarChild>>;
  readonly errors: ScalarChild;
  readonly terminal: ScalarChild;
  readonly time: (seconds: number) => void;
  readonly active: ScalarChild;
}

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
 * registry is never touched), so two managers in one process do not collide; a hook is a field
 * update on a per-label-set state object (values reach prom-client only at scrape time, see
 * `families.ts`); `controller_runtime_reconcile_total` starts at 0 for every result once a
 * controller starts, as in controller-runtime.
 * Caveats: register your own metrics on {@link OperatorMetrics.registry}.
 */
export class OperatorMetrics {
  /**
   * Where the metrics live until (and after) the registry exists: the manager registers the
   * client's and the informers' families here too, without loading prom-client.
   */
  readonly lazyRegistry: LazyRegistry;
  /** The controllers' sink. */
  readonly controller: ControllerMetrics;
  /** The leader elector's sink. */
  readonly leaderElection: LeaderElectionMetrics;
  readonly #probes = new Map<string, () => UnfinishedWork>();
  readonly #workqueue: (name: string) => WorkqueueMetrics;

  constructor(options: OperatorMetricsOptions = {}) {
    const registry = (this.lazyRegistry = new LazyRegistry(options.registry));
    const total = counterFamily({ registry, name: 'controller_runtime_reconcile_total', help: 'Total number of reconciliations per controller', labelNames: ['controller', 'result'] });
    const errors = counterFamily({ registry, name: 'controller_runtime_reconcile_errors_total', help: 'Total number of reconciliation errors per controller', labelNames: ['controller'] });
    const terminal = counterFamily({ registry, name: 'controller_runtime_terminal_reconcile_errors_total', help: 'Total number of terminal reconciliation errors per controller', labelNames: ['controller'] });
    const time = histogramFamily({ registry, name: 'controller_runtime_reconcile_time_seconds', help: 'Length of time per reconciliation per controller', labelNames: ['controller'], buckets: RECONCILE_TIME_BUCKETS });
    const maxConcurrent = gaugeFamily({ registry, name: 'controller_runtime_max_concurrent_reconciles', help: 'Maximum number of concurrent reconciles per controller', labelNames: ['controller'] });
    const active = gaugeFamily({ registry, name: 'controller_runtime_active_workers', help: 'Number of currently used workers per controller', labelNames: ['controller'] });
    const master = gaugeFamily({
      registry,
      name: 'leader_election_master_status',
      help: "Gauge of if the reporting system is master of the relevant lease, 0 indicates backup, 1 indicates master. 'name' is the string used to identify the lease. Please make sure to group by name.",
      labelNames: ['name'],
    });
    /** Per-controller hot-path state, resolved once per controller name. */
    const perController = new Map<string, ControllerSeries>();
    // a manager usually runs one or a few controllers: the last one asked for is remembered
    let last: ControllerSeries | undefined;
    const of = (controller: string): ControllerSeries => {
      if (last !== undefined && last.name === controller) return last;
      let c = perController.get(controller);
      if (c === undefined) {
        const result = (r: ReconcileResultLabel) => total.child({ controller, result: r });
        c = {
          name: controller,
          results: { success: result('success'), error: result('error'), requeue: result('requeue'), requeue_after: result('requeue_after') },
          errors: errors.child({ controller }),
          terminal: terminal.child({ controller }),
          time: time.observer({ controller }),
          active: active.child({ controller }),
        };
        perController.set(controller, c);
      }
      return (last = c);
    };
    this.controller = {
      reconcileTotal: (controller, result) => void of(controller).results[result].value++,
      reconcileError: (controller) => void of(controller).errors.value++,
      terminalReconcileError: (controller) => void of(controller).terminal.value++,
      reconcileTime: (controller, seconds) => of(controller).time(seconds),
      activeWorkers: (controller, count) => void (of(controller).active.value = count),
      maxConcurrentReconciles: (controller, count) => void (of(controller), (maxConcurrent.child({ controller }).value = count)),
    };
    this.leaderElection = { leading: (name, isLeading) => void (master.child({ name }).value = isLeading ? 1 : 0) };
    const probes = this.#probes;
    const collectFrom = (pick: (w: UnfinishedWork) => number) =>
      function (this: Gauge<'name'>): void {
        for (const [name, probe] of probes) this.labels(name).set(pick(probe()) / 1000);
      };
    registry.onRegistry((r, prom) => {
      const registers = [r];
      new prom.Gauge({ name: 'workqueue_unfinished_work_seconds', help: "How many seconds of work has been done that is in progress and hasn't been observed by work_duration. Large values indicate stuck threads. One can deduce the number of stuck threads by observing the rate at which this increases.", labelNames: ['name'] as const, registers, collect: collectFrom((w) => w.totalMs) });
      new prom.Gauge({ name: 'workqueue_longest_running_processor_seconds', help: 'How many seconds has the longest running processor for workqueue been running.', labelNames: ['name'] as const, registers, collect: collectFrom((w) => w.longestMs) });
    });
    const depth = gaugeFamily({ registry, name: 'workqueue_depth', help: 'Current depth of workqueue', labelNames: ['name'] });
    const adds = counterFamily({ registry, name: 'workqueue_adds_total', help: 'Total number of adds handled by workqueue', labelNames: ['name'] });
    const latency = histogramFamily({ registry, name: 'workqueue_queue_duration_seconds', help: 'How long in seconds an item stays in workqueue before being requested', labelNames: ['name'], buckets: WORKQUEUE_BUCKETS });
    const work = histogramFamily({ registry, name: 'workqueue_work_duration_seconds', help: 'How long in seconds processing an item from workqueue takes.', labelNames: ['name'], buckets: WORKQUEUE_BUCKETS });
    const retries = counterFamily({ registry, name: 'workqueue_retries_total', help: 'Total number of retries handled by workqueue', labelNames: ['name'] });
    this.#workqueue = (name) => {
      const d = depth.child({ name });
      const a = adds.child({ name });
      const r = retries.child({ name });
      const observeLatency = latency.observer({ name });
      const observeWork = work.observer({ name });
      return {
        add: () => void a.value++,
        depth: (n) => void (d.value = n),
        latency: (ms) => observeLatency(ms / 1000),
        workDuration: (ms) => observeWork(ms / 1000),
        retry: () => void r.value++,
        unfinishedWork: (probe) => void probes.set(name, probe),
      };
    };
  }

  /**
   * The `workqueue_*` sink of the queue called `name` (the controller's name).
   * Guarantees: label state is resolved once, here; the hooks only update fields.
   */
  workqueue(name: string): WorkqueueMetrics {
    return this.#workqueue(name);
  }

  /**
   * The registry `/metrics` serves; register your own metrics here.
   * Guarantees: prom-client is loaded and the registry made on the first read (or the first scrape),
   * with every runtime metric on it.
   */
  get registry(): Registry {
    return this.lazyRegistry.registry;
  }

  /** The Prometheus text exposition of every registered metric. */
  scrape(): Promise<string> {
    return this.registry.metrics();
  }
}
