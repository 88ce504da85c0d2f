/**
 * `@opkit/runtime/metrics`: the operator's Prometheus metrics (controller-runtime's names) and the
 * HTTP endpoints that serve them and the health probes. A Manager serves them from its
 * `metrics` and health options.
 * @packageDocumentation
 */
export { OperatorMetrics, RECONCILE_TIME_BUCKETS, WORKQUEUE_BUCKETS, type OperatorMetricsOptions } from './metrics.js';
export { LazyRegistry, type MetricsRegistry, type RegistryHook } from './lazy-registry.js';
export { HealthChecks, ping, type HealthCheck } from '../server/health.js';
export { HttpEndpoint, parseBindAddress, ServerError, type BindAddress, type RouteHandler, type ServerErrorReason } from '../server/http.js';
export type { OperationsOptions } from '../manager/operations.js';
export type { ManagerMetricsOptions } from '../manager/manager.js';
