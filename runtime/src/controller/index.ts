/**
 * `@opkit/runtime/controller`: the controller's building blocks, for controllers assembled by
 * hand — the `Controller` runnable, its options and watch sources, request keys and enqueue
 * handlers, its errors and metrics seam. The builder (`controller(mgr)`) is in the root entry.
 * @packageDocumentation
 */
export { controller, ControllerBuilder, type ControllerHost, type WatchOptions, type ControllerBuilderOptions } from './builder.js';
export { Controller, type ControllerOptions, type WatchSource } from './controller.js';
export { TerminalError, isTerminalError, ControllerError, type ControllerErrorReason } from './errors.js';
export { keyString, parseKey, objectKeys, controllerOwnerKeys, enqueueHandler, type MapFunc, type Request, type EnqueueHandlerOptions } from './handlers.js';
export { noopControllerMetrics, type ControllerMetrics, type ReconcileResultLabel } from './metrics.js';
export type { ReconcileContext, ReconcileResult, Reconciler, ObjectReconciler, PrimaryEventRecorder } from './reconciler.js';
