/**
 * `@opkit/runtime/migration`: storage-version migration of a custom resource — rewrite every
 * object at the CRD's storage version, then drop the other versions from `status.storedVersions`
 * (what `opkit migrate storage <crd>` runs).
 * @packageDocumentation
 */
export { migrateStorage, storageVersionHash, type MigrateStorageOptions, type StorageMigrationResult } from './storage.js';
export { StorageMigrationError, type StorageMigrationErrorReason, type StorageMigrationProgress } from './errors.js';
