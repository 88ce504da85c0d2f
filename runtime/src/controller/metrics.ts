/** The `result` label of `controller_runtime_reconcile_total`. */
export type ReconcileResultLabel = 'success' | 'error' | 'requeue' | 'requeue_after';

/**
 * Where controllers report what they do, one hook per controller-runtime metric, labelled by
 * controller name. A Prometheus layer implements it; the default is {@link noopControllerMetrics}.
 *
 * Guarantees: hooks are called synchronously by the controller, `reconcileTotal` exactly once per
 * reconcile, `reconcileTime` once per reconcile (success or not).
 * Caveats: hooks must be cheap and must not throw.
 */
export interface ControllerMetrics {
  /** `controller_runtime_reconcile_total{controller,result}`. */
  reconcileTotal(controller: string, result: ReconcileResultLabel): void;
  /** `controller_runtime_reconcile_errors_total{controller}`: reconciles that threw (terminal ones too). */
  reconcileError(controller: string): void;
  /** `controller_runtime_terminal_reconcile_errors_total{controller}`: reconciles that threw a TerminalError. */
  terminalReconcileError(controller: string): void;
  /** `controller_runtime_reconcile_time_seconds{controller}` (a histogram observation). */
  reconcileTime(controller: string, seconds: number): void;
  /** `controller_runtime_active_workers{controller}`: reconciles running now. */
  activeWorkers(controller: string, count: number): void;
  /** `controller_runtime_max_concurrent_reconciles{controller}`: the configured concurrency. */
  maxConcurrentReconciles(controller: string, count: number): void;
}

const noop = (): void => {};

/** A {@link ControllerMetrics} that records nothing: the default. */
export const noopControllerMetrics: ControllerMetrics = Object.freeze({
  reconcileTotal: noop,
  reconcileError: noop,
  terminalReconcileError: noop,
  reconcileTime: noop,
  activeWorkers: noop,
  maxConcurrentReconciles: noop,
});
