import type { KubeObject } from '../api/resource.js';
import type { Client, Reader } from '../client/client.js';
import type { EventType } from '../events/recorder.js';
import type { Logger } from '../log/logger.js';
import type { Request } from './handlers.js';

/**
 * Records events (events.k8s.io/v1) about the object being reconciled, reported as the controller.
 *
 * Guarantees: never throws, never blocks (the broadcaster writes in the background and aggregates
 * repeats); the event is about the primary object as the cache has it (its uid included) or, when
 * the cache no longer has it, about its apiVersion, kind, namespace and name.
 */
export interface PrimaryEventRecorder {
  /**
   * @param reason - CamelCase, why (e.g. `Created`, `ReconcileFailed`), ≤ 128 characters.
   * @param action - what was done or failed (e.g. `CreateDeployment`), ≤ 128 characters.
   * @param note - human-readable details (truncated to 1 kB).
   */
  event(type: EventType, reason: string, action: string, note?: string, options?: { readonly related?: KubeObject }): void;
}

/**
 * What a reconciler gets besides the request.
 *
 * Guarantees: `log` is a child logger whose every line carries `controller`, `kind`, `namespace`,
 * `name` and `reconcileID`; `signal` stays un-aborted while the controller runs and through the
 * graceful-shutdown window, and aborts when that window expires (pass it to long requests).
 */
export interface ReconcileContext {
  /** The manager's client: reads from the cache (private copies), writes to the API server. */
  readonly client: Client;
  /** Reads straight from the API server (no cache): for reads that must not be stale. */
  readonly apiReader: Reader;
  /** Events about the object being reconciled, reported as this controller. */
  readonly recorder: PrimaryEventRecorder;
  readonly log: Logger;
  readonly signal: AbortSignal;
  /** The key being reconciled. */
  readonly request: Request;
  /** A unique id of this reconcile (a UUID), also on every log line as `reconcileID`. */
  readonly reconcileId: string;
  /** The controller's name. */
  readonly controller: string;
}

/**
 * What a reconcile asks for next:
 * - `undefined` (or `{}`): done; the key's backoff is reset;
 * - `{ requeueAfter: ms }` with `ms > 0`: reset backoff and run again after `ms`;
 * - `{ requeue: true }`: run again after the rate limiter's delay (backoff grows).
 * `requeueAfter` wins over `requeue`.
 */
export type ReconcileResult = void | undefined | { readonly requeueAfter?: number; readonly requeue?: boolean };

/**
 * A reconciler: given the key of a primary object, make the world match it. It receives a key,
 * never an event: read the current state (the object may be gone).
 *
 * Guarantees (of the controller): never called twice at once for one key; anything thrown (an
 * `Error` or not) is logged and retried with rate-limited backoff, except a `TerminalError`.
 */
export type Reconciler = (request: Request, context: ReconcileContext) => Promise<ReconcileResult> | ReconcileResult;

/**
 * A reconciler of an object that exists: what {@link ControllerBuilder.reconcileObject} calls with
 * the primary object read through `ctx.client` (a private copy: change it freely).
 */
export type ObjectReconciler<T extends KubeObject> = (object: T, context: ReconcileContext) => Promise<ReconcileResult> | ReconcileResult;
