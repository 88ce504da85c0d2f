import { isDeepStrictEqual } from 'node:util';
import type { KubeObject, Resource } from '../api/resource.js';
import type { Client, MergePatch, ObjectKey, WriteOptions } from '../client/client.js';
import { isNotFound } from '../client/errors.js';
import { HelperError } from './errors.js';

/** What {@link createOrUpdate} / {@link createOrPatch} did. */
export type OperationResult = 'created' | 'updated' | 'unchanged';

/** The operation and the object as the API server answered (or as read, when unchanged). */
export interface CreateOrUpdateResult<T> {
  readonly result: OperationResult;
  readonly object: T;
}

/**
 * Sets the desired state on `obj` in place: a private copy of the existing object, or a new one
 * holding only its name and namespace. The helper compares it with what it read afterwards.
 */
export type MutateFn<T> = (obj: T) => void | Promise<void>;

/** Reads the object, or a fresh skeleton with the key when it does not exist. */
async function readOrNew<T extends KubeObject>(client: Client, resource: Resource<T>, key: ObjectKey, options: WriteOptions): Promise<T | undefined> {
  try {
    return await client.get(resource, key, options.signal ? { signal: options.signal } : {});
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

function skeleton<T extends KubeObject>(key: ObjectKey): T {
  return { metadata: { name: key.name, ...(key.namespace ? { namespace: key.namespace } : {}) } } as T;
}

async function mutated<T extends KubeObject>(obj: T, key: ObjectKey, mutate: MutateFn<T>): Promise<T> {
  await mutate(obj);
  if (obj.metadata?.name !== key.name || (obj.metadata?.namespace ?? undefined) !== (key.namespace || undefined)) {
    throw new HelperError({ reason: 'MutateChangedKey', message: `the mutate function must not change the name or namespace of ${key.namespace ? `${key.namespace}/` : ''}${key.name}` });
  }
  return obj;
}

/**
 * controller-runtime's `CreateOrUpdate`: reads the object at `key` (through `client`, so from the
 * cache for `mgr.client`), applies `mutate`, then creates it when missing, updates it (with the
 * read resourceVersion) when `mutate` changed it, or does nothing.
 *
 * Guarantees: at most one write; `mutate` gets a private copy (never the cache's shared object),
 * so it works whatever the client's reads return; `update` carries the read resourceVersion, so a
 * concurrent change fails with a Conflict (wrap in {@link retryOnConflict}); `unchanged` means no
 * request was sent (and `object` is the object as read).
 * Caveats: status is not written (the API server ignores it on the main resource when the kind has
 * a status subresource); use {@link createOrPatch} for that.
 * @throws {HelperError} `MutateChangedKey`; ApiError from the API server.
 */
export async function createOrUpdate<T extends KubeObject>(client: Client, resource: Resource<T>, key: ObjectKey, mutate: MutateFn<T>, options: WriteOptions = {}): Promise<CreateOrUpdateResult<T>> {
  const existing = await readOrNew(client, resource, key, options);
  if (existing === undefined) {
    const obj = await mutated(skeleton<T>(key), key, mutate);
    return { result: 'created', object: await client.create(resource, obj, options) };
  }
  // `existing` may be the cache's shared, frozen object: mutate a copy, keep the read as `before`.
  const obj = await mutated(structuredClone(existing), key, mutate);
  if (isDeepStrictEqual(existing, obj)) return { result: 'unchanged', object: existing };
  return { result: 'updated', object: await client.update(resource, obj, options) };
}

/**
 * controller-runtime's `CreateOrPatch`: like {@link createOrUpdate}, but writes a JSON merge patch
 * of exactly what `mutate` changed (no resourceVersion: last writer wins per field), and patches
 * the status subresource separately when the kind has one and `mutate` changed `status`.
 *
 * Guarantees: at most two writes (main, then status); `mutate` gets a private copy; `unchanged`
 * means no request was sent.
 * @throws {HelperError} `MutateChangedKey`; ApiError from the API server.
 */
export async function createOrPatch<T extends KubeObject>(client: Client, resource: Resource<T>, key: ObjectKey, mutate: MutateFn<T>, options: WriteOptions = {}): Promise<CreateOrUpdateResult<T>> {
  const existing = await readOrNew(client, resource, key, options);
  if (existing === undefined) {
    const obj = await mutated(skeleton<T>(key), key, mutate);
    return { result: 'created', object: await client.create(resource, obj, options) };
  }
  // `existing` may be the cache's shared, frozen object: mutate a copy, keep the read as `before`.
  const before = existing as Record<string, unknown>;
  const after = (await mutated(structuredClone(existing), key, mutate)) as Record<string, unknown>;
  const separateStatus = resource.subresources?.status === true;
  const strip = (o: Record<string, unknown>): Record<string, unknown> => {
    const { status: _status, ...rest } = o;
    return separateStatus ? rest : o;
  };
  const mainPatch = mergePatch(strip(before), strip(after));
  const statusPatch = separateStatus ? mergePatch({ status: before['status'] }, { status: after['status'] }) : undefined;
  let object = existing;
  const patchOptions = { ...options, type: 'merge' as const };
  // Both patches are computed from two T's, so they are merge patches of T.
  if (mainPatch !== undefined) object = await client.patch(resource, key, mainPatch as MergePatch<T>, patchOptions);
  if (statusPatch !== undefined) object = await client.status.patch(resource, key, statusPatch as MergePatch<T>, patchOptions);
  return { result: mainPatch === undefined && statusPatch === undefined ? 'unchanged' : 'updated', object };
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * The RFC 7386 JSON merge patch that turns `before` into `after` (removed keys become `null`,
 * arrays are replaced whole); `undefined` when they are equal.
 */
export function mergePatch(before: unknown, after: unknown): unknown {
  if (isDeepStrictEqual(before, after)) return undefined;
  if (!isPlainObject(before) || !isPlainObject(after)) return after === undefined ? null : after;
  const patch: Record<string, unknown> = {};
  for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
    if (!(key in after) || after[key] === undefined) {
      if (key in before && before[key] !== undefined) patch[key] = null;
      continue;
    }
    const sub = mergePatch(before[key], after[key]);
    if (sub !== undefined) patch[key] = sub;
  }
  return Object.keys(patch).length === 0 ? undefined : patch;
}
