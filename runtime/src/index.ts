/**
 * `@opkit/runtime`: controller-runtime for Node.js.
 * @packageDocumentation
 */
export { OpkitError, describeError } from './errors/opkit-error.js';
export { realClock, sleep, type Clock, type Timer } from './util/clock.js';
export { type KubeObject, type Resource, type ObjectOf, apiVersionOf, gvkString } from './api/resource.js';
export {
  ConfigMap,
  Secret,
  Service,
  Pod,
  Namespace,
  Node,
  ServiceAccount,
  PersistentVolumeClaim,
  CoreEvent,
  Deployment,
  StatefulSet,
  DaemonSet,
  ReplicaSet,
  Job,
  CronJob,
  Ingress,
  Lease,
  Event,
  Role,
  RoleBinding,
  ClusterRole,
  ClusterRoleBinding,
  CustomResourceDefinition,
} from './api/builtins.js';
export {
  createClient,
  selectorString,
  type Client,
  type Reader,
  type Writer,
  type StatusWriter,
  type ObjectKey,
  type ObjectList,
  type ListOptions,
  type GetOptions,
  type PatchType,
  type PatchFor,
  type PatchOptions,
  type MergePatch,
  type StrategicMergePatch,
  type DeepPartial,
  type ApplyConfiguration,
  type JsonPatchOperation,
  type WriteOptions,
  type ApplyOptions,
  type DeleteOptions,
} from './client/client.js';
export { createTransport, type Transport, type TransportRequest, type TransportOptions, type Query } from './client/transport.js';
export {
  ApiError,
  isNotFound,
  isConflict,
  isAlreadyExists,
  isGone,
  isUnreachable,
  retryAfterOf,
  type ApiErrorOptions,
  type StatusBody,
  type ResponseHeaders,
  type PriorityAndFairness,
} from './client/errors.js';
export { ServerHealth, type ServerHealthState, type ServerHealthOptions } from './client/health.js';
export { parseRetryAfter } from './client/retry-after.js';
export { type TransportMetrics } from './client/metrics.js';
export { resourcePath } from './client/paths.js';
export { missingRule, describeMissingRule, type MissingRule } from './client/forbidden.js';
export {
  Workqueue,
  DelayingQueue,
  RateLimitingQueue,
  ItemExponentialFailureRateLimiter,
  BucketRateLimiter,
  MaxOfRateLimiter,
  defaultControllerRateLimiter,
  noopWorkqueueMetrics,
  WorkqueueError,
  type WorkqueueOptions,
  type DrainOptions,
  type DelayingQueueOptions,
  type RateLimitingQueueOptions,
  type RateLimiter,
  type ExponentialBackoffOptions,
  type BucketOptions,
  type MaxOfOptions,
  type RateLimitOptions,
  type WorkqueueMetrics,
  type UnfinishedWork,
  type ProcessFn,
  type ProcessOptions,
  type WorkqueueErrorReason,
} from './queue/index.js';
export { createJsonLogger, silentLogger, type Logger, type LogFields, type LogLevel, type JsonLoggerOptions } from './log/logger.js';
export {
  predicate,
  and,
  or,
  not,
  generationChanged,
  labelChanged,
  annotationChanged,
  resourceVersionChanged,
  type Predicate,
  type PredicateFuncs,
} from './predicates/predicates.js';
export { controller, ControllerBuilder, type ControllerHost, type WatchOptions, type ControllerBuilderOptions } from './controller/builder.js';
export { Controller, type ControllerOptions, type WatchSource } from './controller/controller.js';
export { TerminalError, isTerminalError, ControllerError, type ControllerErrorReason } from './controller/errors.js';
export { keyString, parseKey, objectKeys, controllerOwnerKeys, enqueueHandler, type MapFunc, type Request, type EnqueueHandlerOptions } from './controller/handlers.js';
export { noopControllerMetrics, type ControllerMetrics, type ReconcileResultLabel } from './controller/metrics.js';
export type { ReconcileContext, ReconcileResult, Reconciler, ObjectReconciler, PrimaryEventRecorder } from './controller/reconciler.js';
export { Manager, type ManagerOptions, type ManagerMetricsOptions, type CacheDependencies } from './manager/manager.js';
export { ManagerError, type ManagerErrorReason } from './manager/errors.js';
export { cachedClient, type CachedClientOptions } from './manager/client.js';
export { alwaysLeader, type Runnable, type LeaderElector } from './manager/runnable.js';
export { setupSignalHandler, type SignalHandlerOptions } from './manager/signals.js';
export type { EventHandler, HandlerRegistration, ReadonlyStore, InformerScope, Informer, IndexFunc, Cache, WatchHealth, InformerWatchHealth } from './cache/types.js';
export { watcher, type WatcherOptions, type WatcherEvent } from './watch/watcher.js';
export { exponentialBackoff, createBackoff, type Backoff, type BackoffOptions, type BackoffSpec } from './watch/backoff.js';
export { WatchError, KindNotServedError, ForbiddenError, ResourceExpiredError, WatchStalledError, type WatchErrorReason } from './watch/errors.js';
export { Store, StoreWriter, createStore, objectKey, NAMESPACE_INDEX, type StoreChange, type StoreOptions } from './cache/store.js';
export { reflector, type ReflectorOptions, type ReflectorEvent } from './cache/reflector.js';
export { stripManagedFields, deepFreeze, type Transform } from './cache/transform.js';
export { SharedInformer, type SharedInformerOptions, type HandlerOptions, type WatcherTuning } from './cache/informer.js';
export { InformerCache, createCache, type CacheOptions, type CacheTransform, type InformerOverrides } from './cache/cache.js';
export { parseLabelSelector, parseFieldSelector, type LabelSelector, type LabelRequirement, type FieldRequirement } from './cache/selector.js';
export {
  CacheError,
  CacheNotStartedError,
  MissingFieldIndexError,
  InvalidSelectorError,
  InformerStoppedError,
  type CacheErrorReason,
} from './cache/errors.js';
export { LeaseElector, type LeaseElectorOptions, type LeaderElectionMetrics, type LeaderElectionState } from './leader/elector.js';
export { LeaderElectionError, LeaderElectionLostError, type LeaderElectionErrorReason } from './leader/errors.js';
export { LeaseLock, type LeaderElectionRecord } from './leader/lease-lock.js';
export { fencedClient } from './leader/fence.js';
export type { LeaderElectionConfig, OperationsOptions } from './manager/operations.js';
export { OperatorMetrics, RECONCILE_TIME_BUCKETS, WORKQUEUE_BUCKETS, type OperatorMetricsOptions } from './metrics/metrics.js';
export { HealthChecks, ping, type HealthCheck } from './server/health.js';
export { HttpEndpoint, parseBindAddress, ServerError, type BindAddress, type RouteHandler, type ServerErrorReason } from './server/http.js';
export { EventBroadcaster, type EventRecorder, type EventBroadcasterOptions, type EventType, type EventReference } from './events/recorder.js';
export { setCondition, removeCondition, findCondition, isConditionTrue, isConditionFalse, type Condition, type ConditionInput, type ConditionStatus } from './helpers/conditions.js';
export { retryOnConflict, retryOnError, DefaultRetry, DefaultBackoff, type Backoff as RetryBackoff, type RetryOptions } from './helpers/retry.js';
export { setControllerReference, setOwnerReference, controllerReferenceTo, getControllerOf, isControlledBy, type OwnerReferenceOptions } from './helpers/owner.js';
export { addFinalizer, removeFinalizer, hasFinalizer, finalizer, type FinalizerHandlers, type FinalizerOptions } from './helpers/finalizers.js';
export { createOrUpdate, createOrPatch, mergePatch, type OperationResult, type CreateOrUpdateResult, type MutateFn } from './helpers/create-or-update.js';
export {
  AlreadyOwnedError,
  OwnerReferenceError,
  FinalizerError,
  HelperError,
  type OwnerReferenceErrorReason,
  type FinalizerErrorReason,
  type HelperErrorReason,
} from './helpers/errors.js';
export { redactFields, REDACTED } from './log/redact.js';
export { pinoLogger, type PinoLike } from './log/pino.js';
export { formatMicroTime, formatTime, parseTime } from './util/time-format.js';
export { deepCopy } from './util/deep-copy.js';
