import { OpkitError } from '../errors/opkit-error.js';

/**
 * Why a storage migration stopped:
 * - `CrdNotFound`: no CustomResourceDefinition of that name;
 * - `NoStorageVersion`: the CRD marks no version (or several) as the storage version;
 * - `Forbidden`: RBAC refused a request (the message names the verb, the resource and the rule to grant);
 * - `StorageVersionNotObserved`: the API server did not report the new storage version in discovery in time;
 * - `StorageVersionChanged`: the CRD's storage version changed while objects were rewritten;
 * - `ObjectsFailed`: some objects could not be rewritten (each named); `status.storedVersions` was left alone;
 * - `Aborted`: the signal aborted;
 * - `Failed`: any other API error (`cause`).
 */
export type StorageMigrationErrorReason =
  | 'CrdNotFound'
  | 'NoStorageVersion'
  | 'Forbidden'
  | 'StorageVersionNotObserved'
  | 'StorageVersionChanged'
  | 'ObjectsFailed'
  | 'Aborted'
  | 'Failed';

/** How far a migration got. */
export interface StorageMigrationProgress {
  /** Objects rewritten so far (this run). */
  readonly migrated: number;
  /** Objects that were deleted before they could be rewritten. */
  readonly gone: number;
  /** The continue token after the last page whose objects were all rewritten; resume with it. */
  readonly continueToken: string | undefined;
}

/**
 * A storage migration that did not finish: `status.storedVersions` was not changed. `progress`
 * says how far it got; pass `progress.continueToken` as `continueToken` to resume (rewriting an
 * object twice is harmless, so starting over is always safe too).
 */
export class StorageMigrationError extends OpkitError {
  declare readonly reason: StorageMigrationErrorReason;
  /** How far the migration got. */
  readonly progress: StorageMigrationProgress;

  constructor(options: { readonly reason: StorageMigrationErrorReason; readonly message: string; readonly progress: StorageMigrationProgress; readonly cause?: unknown; readonly retryable?: boolean }) {
    super(options);
    this.progress = options.progress;
  }
}
