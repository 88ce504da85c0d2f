/**
 * Storage-version migration of a custom resource: rewrite every object so that the API server
 * stores it at the CRD's current storage version, then drop the other versions from the CRD's
 * `status.storedVersions`, after which they can be removed from the CRD.
 * @module
 */
import { createHash } from 'node:crypto';
import { ApiError, isConflict, isGone, isNotFound } from '../client/errors.js';
import { missingRule } from '../client/forbidden.js';
import type { Transport } from '../client/transport.js';
import { realClock, sleep, type Clock } from '../util/clock.js';
import { StorageMigrationError, type StorageMigrationErrorReason, type StorageMigrationProgress } from './errors.js';

/** Options of {@link migrateStorage}. */
export interface MigrateStorageOptions {
  /** Stops the migration between requests; it rejects with reason `Aborted` and its progress. */
  readonly signal?: AbortSignal;
  /** Objects per list page (default 500). */
  readonly pageSize?: number;
  /** Resume from this continue token (a {@link StorageMigrationError}'s `progress.continueToken`). */
  readonly continueToken?: string;
  /** Objects rewritten at the same time (default 4). */
  readonly concurrency?: number;
  /** Attempts per object on conflicts, 429 and 5xx answers (default 5), with backoff from 100 ms, doubling. */
  readonly retries?: number;
  /** How long to wait for the API server to report the storage version in discovery, in ms (default 30 000). */
  readonly discoveryTimeoutMs?: number;
  /** Called after every page. */
  readonly onProgress?: (progress: StorageMigrationProgress) => void;
  /** Source of time for the backoff and the discovery wait (default the wall clock). */
  readonly clock?: Clock;
}

/** What {@link migrateStorage} did. */
export interface StorageMigrationResult {
  /** The CRD's name. */
  readonly crd: string;
  /** The storage version every object is now stored at. */
  readonly storageVersion: string;
  /** `status.storedVersions` before, e.g. `['v1', 'v2']`. */
  readonly storedVersionsBefore: readonly string[];
  /** `status.storedVersions` now: `[storageVersion]`. */
  readonly storedVersions: readonly string[];
  /** Objects rewritten. */
  readonly migrated: number;
  /** Objects deleted before they could be rewritten. */
  readonly gone: number;
  /** Nothing to do: storedVersions was `[storageVersion]` already. */
  readonly alreadyMigrated: boolean;
  /** The continue token it was resumed with had expired, so it started over from the first page. */
  readonly restarted: boolean;
}

interface CrdVersionLike {
  readonly name: string;
  readonly storage?: boolean;
}

interface CrdLike {
  readonly metadata: { readonly name?: string; readonly resourceVersion?: string };
  readonly spec: { readonly group: string; readonly scope: string; readonly names: { readonly kind: string; readonly plural: string }; readonly versions: readonly CrdVersionLike[] };
  readonly status?: { readonly storedVersions?: readonly string[] };
}

interface ListPage {
  readonly items?: ReadonlyArray<{ readonly metadata?: { readonly name?: string; readonly namespace?: string } }>;
  readonly metadata?: { readonly continue?: string };
}

/**
 * The `storageVersionHash` discovery reports for a resource stored as `group/version` `kind`
 * (kube-apiserver's: the first 8 bytes of the SHA-256 of `group/version/kind`, base64).
 */
export function storageVersionHash(group: string, version: string, kind: string): string {
  return createHash('sha256').update(`${group}/${version}/${kind}`).digest().subarray(0, 8).toString('base64');
}

const CRDS = '/apis/apiextensions.k8s.io/v1/customresourcedefinitions';

/** The permissions a migration needs, for messages. */
function neededRules(crd: string, plural?: string, group?: string): string {
  const objects = plural === undefined ? 'list and patch on the custom resources' : `list and patch on ${plural} (API group "${group}")`;
  return `a migration needs get on customresourcedefinitions, update on customresourcedefinitions/status (${crd}), and ${objects}`;
}

/**
 * Rewrites every object of the CRD `crdName` (e.g. `widgets.example.com`) at its storage version,
 * then sets `status.storedVersions` to just the storage version.
 *
 * Each object gets an empty merge patch through the storage version, which makes the API server
 * decode it (converting it, through the conversion webhook if need be) and store it again at the
 * storage version; an object already stored there is not written (the API server skips writes
 * that change nothing). Pages of `pageSize`; conflicts, 429 and 5xx answers are retried with
 * backoff; an object deleted meanwhile is counted as gone.
 *
 * Guarantees:
 * - `status.storedVersions` is changed only after every object listed was rewritten, and only if
 *   the storage version is still the one the objects were rewritten at (else
 *   `StorageVersionChanged`); it is never reported done when anything failed;
 * - idempotent: with `storedVersions` already `[storage]` it writes nothing (`alreadyMigrated`);
 *   running it again after a failure is always safe;
 * - before rewriting, it waits until discovery reports the new storage version's
 *   `storageVersionHash`, so objects are not written at the old one by a server that has not
 *   seen the CRD change yet.
 *
 * Caveats: with several API servers, discovery answers for one of them; a server that has not
 *   observed the CRD change could still write the old version (as with any storage migration,
 *   change the storage version, wait for every server, then migrate). Objects created during the
 *   migration are stored at the storage version anyway.
 * @throws StorageMigrationError: `CrdNotFound`, `NoStorageVersion`, `Forbidden` (naming the rule
 *   to grant), `StorageVersionNotObserved`, `StorageVersionChanged`, `ObjectsFailed` (naming
 *   them), `Aborted`, `Failed`; each with the progress made.
 */
export async function migrateStorage(transport: Transport, crdName: string, options: MigrateStorageOptions = {}): Promise<StorageMigrationResult> {
  const clock = options.clock ?? realClock;
  const signal = options.signal;
  const pageSize = options.pageSize ?? 500;
  const concurrency = Math.max(1, options.concurrency ?? 4);
  const retries = Math.max(1, options.retries ?? 5);
  let migrated = 0;
  let gone = 0;
  let resumeAt = options.continueToken;
  const progress = (): StorageMigrationProgress => ({ migrated, gone, continueToken: resumeAt });
  const fail = (reason: StorageMigrationErrorReason, message: string, cause?: unknown): StorageMigrationError =>
    new StorageMigrationError({ reason, message: `storage migration of ${crdName}: ${message}`, progress: progress(), cause, retryable: reason === 'Failed' || reason === 'StorageVersionNotObserved' });
  const target: { plural?: string; group?: string } = {};
  /** Maps an error of a request to the migration's error. */
  const failure = (err: unknown, doing: string): StorageMigrationError => {
    if (err instanceof StorageMigrationError) return err;
    if (signal?.aborted) return fail('Aborted', `aborted while ${doing}; ${migrated} object(s) rewritten, storedVersions unchanged`, err);
    const rule = missingRule(err);
    if (rule !== undefined) {
      const where = rule.namespace === undefined ? '' : ` in namespace "${rule.namespace}"`;
      return fail('Forbidden', `RBAC forbids ${rule.verb} on ${rule.resource} (API group "${rule.group}")${where} while ${doing}: grant it to the identity running the migration (${neededRules(crdName, target.plural, target.group)})`, err);
    }
    return fail('Failed', `${doing}: ${err instanceof Error ? err.message : String(err)}`, err);
  };
  const request = async <T>(req: Parameters<Transport['request']>[0], doing: string): Promise<T> => {
    if (signal?.aborted) throw failure(signal.reason, doing);
    try {
      return await transport.request<T>({ ...req, ...(signal ? { signal } : {}) });
    } catch (err) {
      if (err instanceof ApiError && (isNotFound(err) || isConflict(err) || isGone(err) || err.status === 429 || err.status >= 500 || err.status === 422)) throw err;
      throw failure(err, doing);
    }
  };

  const readCrd = async (): Promise<CrdLike> => {
    try {
      return await request<CrdLike>({ method: 'GET', path: `${CRDS}/${encodeURIComponent(crdName)}` }, 'reading the CRD');
    } catch (err) {
      if (isNotFound(err)) throw fail('CrdNotFound', `no CustomResourceDefinition named ${crdName}: give its full name, <plural>.<group> (kubectl get crd lists them)`, err);
      throw failure(err, 'reading the CRD');
    }
  };
  const storageOf = (crd: CrdLike): string => {
    const storage = crd.spec.versions.filter((v) => v.storage === true);
    if (storage.length !== 1 || storage[0] === undefined) {
      throw fail('NoStorageVersion', `${storage.length === 0 ? 'no version' : `${storage.length} versions`} of ${crd.spec.versions.map((v) => v.name).join(', ')} marked storage: true; mark exactly one (the version objects are to be stored at) and apply the CRD`);
    }
    return storage[0].name;
  };

  const crd = await readCrd();
  const storageVersion = storageOf(crd);
  const { group, names, scope } = crd.spec;
  target.plural = names.plural;
  target.group = group;
  const storedVersionsBefore = [...(crd.status?.storedVersions ?? [])];
  const done = (alreadyMigrated: boolean, restarted: boolean): StorageMigrationResult => ({ crd: crdName, storageVersion, storedVersionsBefore, storedVersions: [storageVersion], migrated, gone, alreadyMigrated, restarted });
  if (storedVersionsBefore.length === 1 && storedVersionsBefore[0] === storageVersion) return done(true, false);

  // 1. wait until the API server serves the new storage version (discovery's storageVersionHash)
  const expectedHash = storageVersionHash(group, storageVersion, names.kind);
  const deadline = clock.now() + (options.discoveryTimeoutMs ?? 30_000);
  for (;;) {
    let reported: string | undefined;
    try {
      const list = await request<{ resources?: Array<{ name?: string; storageVersionHash?: string }> }>({ method: 'GET', path: `/apis/${group}/${storageVersion}` }, 'reading discovery');
      reported = list.resources?.find((r) => r.name === names.plural)?.storageVersionHash;
      if (reported === undefined || reported === expectedHash) break;
    } catch (err) {
      if (!isNotFound(err)) throw failure(err, 'reading discovery');
    }
    if (clock.now() >= deadline) {
      throw fail('StorageVersionNotObserved', `the API server does not report ${group}/${storageVersion} as the storage version of ${names.plural} yet (discovery storageVersionHash ${reported ?? 'missing'}, expected ${expectedHash}); wait until it does and run the migration again`);
    }
    await sleep(clock, 200, signal).catch((err: unknown) => {
      throw failure(err, 'waiting for discovery');
    });
  }

  // 2. rewrite every object, page by page
  const base = `/apis/${group}/${storageVersion}`;
  const failed: string[] = [];
  const rewrite = async (item: NonNullable<ListPage['items']>[number]): Promise<void> => {
    const name = item.metadata?.name ?? '';
    const namespace = scope === 'Namespaced' ? item.metadata?.namespace : undefined;
    const path = `${base}${namespace ? `/namespaces/${encodeURIComponent(namespace)}` : ''}/${names.plural}/${encodeURIComponent(name)}`;
    const label = namespace ? `${namespace}/${name}` : name;
    for (let attempt = 1; ; attempt++) {
      try {
        await request({ method: 'PATCH', path, body: {}, contentType: 'application/merge-patch+json', query: { fieldManager: 'opkit-migrate-storage' } }, `rewriting ${names.kind} ${label}`);
        migrated++;
        return;
      } catch (err) {
        if (isNotFound(err)) {
          gone++;
          return;
        }
        const retryable = err instanceof ApiError && (isConflict(err) || err.status === 429 || err.status >= 500);
        if (!retryable || attempt >= retries) {
          if (err instanceof StorageMigrationError) throw err;
          failed.push(`${label}: ${err instanceof Error ? err.message : String(err)}`);
          return;
        }
        await sleep(clock, 100 * 2 ** (attempt - 1), signal).catch((e: unknown) => {
          throw failure(e, `rewriting ${names.kind} ${label}`);
        });
      }
    }
  };
  let restarted = false;
  let token = resumeAt;
  for (;;) {
    let page: ListPage;
    try {
      page = await request<ListPage>({ method: 'GET', path: `${base}/${names.plural}`, query: { limit: pageSize, continue: token } }, `listing ${names.plural}`);
    } catch (err) {
      if (isGone(err) && token !== undefined) {
        // the continue token expired: start over (rewriting an object twice is harmless)
        token = undefined;
        resumeAt = undefined;
        restarted = true;
        continue;
      }
      throw failure(err, `listing ${names.plural}`);
    }
    const items = [...(page.items ?? [])];
    const workers = Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      for (let item = items.shift(); item !== undefined; item = items.shift()) await rewrite(item);
    });
    await Promise.all(workers);
    token = page.metadata?.continue || undefined;
    if (failed.length === 0) resumeAt = token;
    options.onProgress?.(progress());
    if (token === undefined) break;
  }
  if (failed.length > 0) {
    resumeAt = undefined;
    const shown = failed.slice(0, 10).map((f) => `\n  ${f}`).join('');
    throw fail('ObjectsFailed', `${failed.length} object(s) could not be rewritten, so storedVersions was left as ${JSON.stringify(storedVersionsBefore)}; fix them and run the migration again:${shown}${failed.length > 10 ? `\n  … and ${failed.length - 10} more` : ''}`);
  }

  // 3. storedVersions = [storage], if the storage version is still the one rewritten at
  for (let attempt = 1; ; attempt++) {
    const current = await readCrd();
    const now = storageOf(current);
    if (now !== storageVersion) {
      throw fail('StorageVersionChanged', `the storage version changed from ${storageVersion} to ${now} during the migration; storedVersions was left alone: run the migration again`);
    }
    const stored = current.status?.storedVersions ?? [];
    if (stored.length === 1 && stored[0] === storageVersion) return done(false, restarted);
    try {
      await request(
        { method: 'PUT', path: `${CRDS}/${encodeURIComponent(crdName)}/status`, body: { ...current, status: { ...current.status, storedVersions: [storageVersion] } } },
        'updating status.storedVersions',
      );
      return done(false, restarted);
    } catch (err) {
      if (!isConflict(err) || attempt >= retries) throw failure(err, 'updating status.storedVersions');
    }
  }
}
