import type { KubeObject, Resource } from '../api/resource.js';
import type { Client, JsonPatchOperation, ObjectKey } from '../client/client.js';
import { isNotFound } from '../client/errors.js';
import { describeError } from '../errors/opkit-error.js';
import { FinalizerError } from './errors.js';

/** Options of the finalizer helpers. */
export interface FinalizerOptions {
  readonly signal?: AbortSignal;
  /** Field manager of the patches (default the client's). */
  readonly fieldManager?: string;
}

function keyOf(obj: KubeObject): ObjectKey {
  const name = obj.metadata?.name;
  if (!name) throw new FinalizerError({ reason: 'UnnamedObject', message: 'the object has no metadata.name' });
  return { namespace: obj.metadata?.namespace, name };
}

function checkName(name: string): void {
  if (!name) throw new FinalizerError({ reason: 'InvalidFinalizer', message: 'the finalizer name must not be empty' });
}

function patchOptions(options: FinalizerOptions): { type: 'json'; signal?: AbortSignal; fieldManager?: string } {
  return { type: 'json', ...(options.signal ? { signal: options.signal } : {}), ...(options.fieldManager ? { fieldManager: options.fieldManager } : {}) };
}

/** Whether `obj` carries finalizer `name`. */
export function hasFinalizer(obj: KubeObject, name: string): boolean {
  return obj.metadata?.finalizers?.includes(name) ?? false;
}

/**
 * Adds finalizer `name` with a guarded JSON patch: `test` that the finalizers array is exactly the
 * one in `obj` (absent → `null`), then `add` it. kube-rs's approach: the API server does not
 * deduplicate finalizers, so a concurrent change must fail the patch rather than be merged.
 *
 * Guarantees: a no-op (no request) when `obj` already has it; never adds a duplicate; resolves with
 * the object as written.
 * @throws {FinalizerError} `AddFinalizer` (cause: the API error — the `test` failed when the
 * finalizers changed since `obj` was read; re-read and retry).
 */
export async function addFinalizer<T extends KubeObject>(client: Client, resource: Resource<T>, obj: T, name: string, options: FinalizerOptions = {}): Promise<T> {
  checkName(name);
  const key = keyOf(obj);
  if (hasFinalizer(obj, name)) return obj;
  const current = obj.metadata?.finalizers ?? [];
  const patch: JsonPatchOperation[] =
    current.length === 0
      ? [
          { op: 'test', path: '/metadata/finalizers', value: null },
          { op: 'add', path: '/metadata/finalizers', value: [name] },
        ]
      : [
          { op: 'test', path: '/metadata/finalizers', value: current },
          { op: 'add', path: '/metadata/finalizers/-', value: name },
        ];
  try {
    return await client.patch(resource, key, patch, patchOptions(options));
  } catch (cause) {
    throw new FinalizerError({ reason: 'AddFinalizer', message: `failed to add finalizer ${name} to ${resource.kind} ${key.name}: ${describeError(cause)}`, cause });
  }
}

/**
 * Removes finalizer `name` with a guarded JSON patch: `test` that index i still holds `name`, then
 * `remove` index i.
 *
 * Guarantees: a no-op (no request) when `obj` does not have it; never removes another finalizer;
 * resolves with `obj` when the object is already gone (NotFound: `obj` was a stale read, e.g. from
 * the cache, of an object whose last finalizer another reconcile removed — nothing holds it).
 * @throws {FinalizerError} `RemoveFinalizer` (cause: the API error; a failed `test` means the
 * finalizers changed since `obj` was read).
 */
export async function removeFinalizer<T extends KubeObject>(client: Client, resource: Resource<T>, obj: T, name: string, options: FinalizerOptions = {}): Promise<T> {
  checkName(name);
  const key = keyOf(obj);
  const index = obj.metadata?.finalizers?.indexOf(name) ?? -1;
  if (index < 0) return obj;
  const patch: JsonPatchOperation[] = [
    { op: 'test', path: `/metadata/finalizers/${index}`, value: name },
    { op: 'remove', path: `/metadata/finalizers/${index}` },
  ];
  try {
    return await client.patch(resource, key, patch, patchOptions(options));
  } catch (cause) {
    if (isNotFound(cause)) return obj;
    throw new FinalizerError({ reason: 'RemoveFinalizer', message: `failed to remove finalizer ${name} from ${resource.kind} ${key.name}: ${describeError(cause)}`, cause });
  }
}

/** What {@link finalizer} runs. */
export interface FinalizerHandlers<T extends KubeObject, R> {
  /** Reconcile a live object (its finalizer is in place). */
  readonly apply: (obj: T) => Promise<R> | R;
  /** Clean up before deletion; when it throws, the finalizer stays and the error is raised (and retried). */
  readonly cleanup: (obj: T) => Promise<R> | R;
}

/**
 * kube-rs's `finalizer` flow, for use inside a reconcile:
 * - not being deleted, finalizer missing → add it (guarded patch), then `apply` the patched object;
 * - not being deleted, finalizer present → `apply`;
 * - being deleted, finalizer present → `cleanup`, then remove the finalizer (guarded patch);
 * - being deleted, finalizer absent → nothing (resolves `undefined`).
 *
 * Guarantees: the finalizer is removed only after `cleanup` resolved, so the API server keeps the
 * object until then; a failing cleanup leaves the finalizer and rejects, so the controller retries.
 * @throws {FinalizerError} `ApplyFailed`/`CleanupFailed` (cause: what the handler threw — a
 * `TerminalError` cause stays terminal), `AddFinalizer`/`RemoveFinalizer`, `UnnamedObject`.
 */
export async function finalizer<T extends KubeObject, R>(
  client: Client,
  resource: Resource<T>,
  obj: T,
  name: string,
  handlers: FinalizerHandlers<T, R>,
  options: FinalizerOptions = {},
): Promise<R | undefined> {
  checkName(name);
  const key = keyOf(obj);
  const deleting = Boolean(obj.metadata?.deletionTimestamp);
  if (deleting && !hasFinalizer(obj, name)) return undefined;
  if (deleting) {
    let result: R;
    try {
      result = await handlers.cleanup(obj);
    } catch (cause) {
      throw new FinalizerError({ reason: 'CleanupFailed', message: `cleanup of ${resource.kind} ${key.name} failed (finalizer ${name} kept): ${describeError(cause)}`, cause });
    }
    await removeFinalizer(client, resource, obj, name, options);
    return result;
  }
  const live = hasFinalizer(obj, name) ? obj : await addFinalizer(client, resource, obj, name, options);
  try {
    return await handlers.apply(live);
  } catch (cause) {
    throw new FinalizerError({ reason: 'ApplyFailed', message: `apply of ${resource.kind} ${key.name} failed: ${describeError(cause)}`, cause });
  }
}
