import { OpkitError } from '../errors/opkit-error.js';

/**
 * Why an owner reference could not be set:
 * - `AlreadyOwned`: another object is already the controller (see {@link AlreadyOwnedError});
 * - `CrossNamespace`: the owner is in another namespace than the object;
 * - `ClusterScopedOwned`: a cluster-scoped object cannot have a namespaced owner;
 * - `OwnerNotPersisted`: the owner has no name or uid yet (create it first).
 */
export type OwnerReferenceErrorReason = 'AlreadyOwned' | 'CrossNamespace' | 'ClusterScopedOwned' | 'OwnerNotPersisted';

/** An owner reference was refused. Not retryable: the objects must change. */
export class OwnerReferenceError extends OpkitError {
  declare readonly reason: OwnerReferenceErrorReason;

  constructor(options: { reason: OwnerReferenceErrorReason; message: string }) {
    super({ ...options, retryable: false });
  }
}

/** `setControllerReference` refused: the object already has a different controller (controller-runtime's `AlreadyOwnedError`). */
export class AlreadyOwnedError extends OwnerReferenceError {
  /** The existing controller reference: `kind/name` and its uid. */
  readonly owner: { readonly apiVersion: string; readonly kind: string; readonly name: string; readonly uid: string };

  constructor(options: { message: string; owner: AlreadyOwnedError['owner'] }) {
    super({ reason: 'AlreadyOwned', message: options.message });
    this.owner = options.owner;
  }
}

/**
 * Why the finalizer flow failed (kube-rs's `finalizer::Error`):
 * - `ApplyFailed` / `CleanupFailed`: the user's `apply` / `cleanup` threw (`cause`); the finalizer
 *   is kept, so the controller retries the cleanup;
 * - `AddFinalizer` / `RemoveFinalizer`: the guarded JSON patch failed (`cause`: a conflict when
 *   the finalizers changed concurrently — retryable);
 * - `UnnamedObject`: the object has no name;
 * - `InvalidFinalizer`: the finalizer name is empty.
 */
export type FinalizerErrorReason = 'ApplyFailed' | 'CleanupFailed' | 'AddFinalizer' | 'RemoveFinalizer' | 'UnnamedObject' | 'InvalidFinalizer';

/** An error of the finalizer helpers. Retryable unless the object or finalizer name is invalid. */
export class FinalizerError extends OpkitError {
  declare readonly reason: FinalizerErrorReason;

  constructor(options: { reason: FinalizerErrorReason; message: string; cause?: unknown }) {
    super({ ...options, retryable: options.reason !== 'UnnamedObject' && options.reason !== 'InvalidFinalizer' });
  }
}

/**
 * Why a helper refused its input:
 * - `InvalidCondition`: a condition breaks metav1.Condition's rules (type, status, reason);
 * - `MutateChangedKey`: a `createOrUpdate` mutate function changed the name or namespace;
 * - `FrozenObject`: the helper changes its argument in place, and it is frozen (the cache's
 *   shared object, read with `unsafeDisableDeepCopy`): pass a copy (`deepCopy`).
 */
export type HelperErrorReason = 'InvalidCondition' | 'MutateChangedKey' | 'FrozenObject';

/** @internal Throws `FrozenObject` when `value` cannot be changed in place. */
export function assertMutable(value: unknown, what: string, helper: string): void {
  if (value !== null && typeof value === 'object' && Object.isFrozen(value)) {
    throw new HelperError({
      reason: 'FrozenObject',
      message: `${helper}: ${what} is frozen — it is the cache's shared object (read with unsafeDisableDeepCopy); pass a copy: deepCopy(object)`,
    });
  }
}

/** A helper's input was invalid. Not retryable. */
export class HelperError extends OpkitError {
  declare readonly reason: HelperErrorReason;

  constructor(options: { reason: HelperErrorReason; message: string; cause?: unknown }) {
    super({ ...options, retryable: false });
  }
}
