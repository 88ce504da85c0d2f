/**
 * `@opkit/runtime`: controller-runtime for Node.js — what an operator author uses: the Manager,
 * the controller builder, the client's types, predicates, helpers, errors and the built-in kinds.
 *
 * Building blocks are under subpaths: `@opkit/runtime/client`, `/cache`, `/watch`, `/queue`,
 * `/controller`, `/leader`, `/metrics`, `/events`, `/log`, `/lifecycle`; the test control plane
 * and test helpers under `@opkit/runtime/testing`.
 * @packageDocumentation
 */
// Kinds
export { type KubeObject, type Resource, type ObjectOf } from './api/resource.js';
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
  MutatingWebhookConfiguration,
  ValidatingWebhookConfiguration,
} from './api/builtins.js';

// Manager and controllers
export { Manager, type ManagerOptions } from './manager/manager.js';
export { setupSignalHandler } from './manager/signals.js';
export type { Runnable } from './lifecycle/runnable.js';
export { controller, type ControllerBuilder, type WatchOptions } from './controller/builder.js';
export type { ReconcileContext, ReconcileResult, Reconciler, ObjectReconciler } from './controller/reconciler.js';
export type { Request, MapFunc } from './controller/handlers.js';

// The client (mgr.client, ctx.client; or one of its own, e.g. a test's, from a kubeconfig)
export { createClient, type Client, type ObjectKey, type ListOptions, type ApplyOptions, type ApplyConfiguration } from './client/client.js';
export { createTransport, type Transport } from './client/transport.js';
// the options and parts of a RestConfig are in @opkit/runtime/client
export { loadKubeConfig } from './client/kubeconfig/load.js';
export { KubeConfigError } from './client/kubeconfig/errors.js';
export type { RestConfig } from './client/rest-config.js';

// Predicates
export { predicate, and, or, not, generationChanged, labelChanged, annotationChanged, resourceVersionChanged, type Predicate } from './predicates/predicates.js';

// Helpers
export { setCondition, removeCondition, findCondition, isConditionTrue, isConditionFalse, type Condition } from './helpers/conditions.js';
export { retryOnConflict } from './helpers/retry.js';
export { setControllerReference, setOwnerReference, controllerReferenceTo, getControllerOf, isControlledBy } from './helpers/owner.js';
export { addFinalizer, removeFinalizer, hasFinalizer, finalizer } from './helpers/finalizers.js';
export { createOrUpdate, createOrPatch, type OperationResult } from './helpers/create-or-update.js';

// Errors
export { OpkitError, describeError } from './errors/opkit-error.js';
export { ApiError, isNotFound, isConflict, isAlreadyExists } from './client/errors.js';
export { TerminalError, isTerminalError } from './controller/errors.js';
export { ManagerError } from './errors/manager-error.js';

// Logs and events
export type { Logger } from './log/logger.js';
export type { EventRecorder } from './events/recorder.js';
