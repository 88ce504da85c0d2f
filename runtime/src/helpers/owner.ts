import type { V1OwnerReference } from '@kubernetes/client-node';
import { apiVersionOf, type KubeObject, type Resource } from '../api/resource.js';
import { AlreadyOwnedError, assertMutable, OwnerReferenceError } from './errors.js';

/** Options of {@link setControllerReference} and {@link setOwnerReference}. */
export interface OwnerReferenceOptions {
  /** Set `blockOwnerDeletion` (foreground deletion waits for the object; default true, as controller-runtime). */
  readonly blockOwnerDeletion?: boolean;
}

const groupOf = (apiVersion: string): string => (apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '');

/** Whether two references name the same object (group, kind and name, as controller-runtime compares). */
function sameObject(a: V1OwnerReference, b: V1OwnerReference): boolean {
  return groupOf(a.apiVersion) === groupOf(b.apiVersion) && a.kind === b.kind && a.name === b.name;
}

function referenceTo(owner: KubeObject, ownerResource: Resource, object: KubeObject, controller: boolean, options: OwnerReferenceOptions): V1OwnerReference {
  const name = owner.metadata?.name;
  const uid = owner.metadata?.uid;
  if (!name || !uid) {
    throw new OwnerReferenceError({ reason: 'OwnerNotPersisted', message: `owner ${ownerResource.kind} ${name ?? '(unnamed)'} has no name or uid: create it before referencing it` });
  }
  const ownerNs = ownerResource.namespaced ? (owner.metadata?.namespace ?? '') : '';
  const objectNs = object.metadata?.namespace ?? '';
  if (ownerNs !== '') {
    if (objectNs === '') {
      throw new OwnerReferenceError({ reason: 'ClusterScopedOwned', message: `cluster-scoped object ${object.metadata?.name ?? ''} must not have a namespaced owner (${ownerResource.kind} ${ownerNs}/${name})` });
    }
    if (objectNs !== ownerNs) {
      throw new OwnerReferenceError({ reason: 'CrossNamespace', message: `cross-namespace owner references are disallowed: owner ${ownerResource.kind} ${ownerNs}/${name}, object in namespace ${objectNs}` });
    }
  }
  return {
    apiVersion: apiVersionOf(ownerResource),
    kind: ownerResource.kind,
    name,
    uid,
    ...(controller ? { controller: true } : {}),
    ...(options.blockOwnerDeletion === false ? {} : { blockOwnerDeletion: true }),
  };
}

function upsert(object: KubeObject, ref: V1OwnerReference, helper: string): void {
  const name = object.metadata?.name ?? '(unnamed)';
  assertMutable(object.metadata ?? object, `the metadata of ${name}`, helper);
  const metadata = (object.metadata ??= {});
  const refs = [...(metadata.ownerReferences ?? [])];
  const i = refs.findIndex((r) => sameObject(r, ref));
  if (i >= 0) refs[i] = ref;
  else refs.push(ref);
  metadata.ownerReferences = refs;
}

/**
 * An ownerReference to `owner` with `controller: true` and `blockOwnerDeletion: true` (unless
 * `options` says otherwise), to put in an object you build yourself — a server-side apply
 * configuration: `metadata: { name, ownerReferences: [controllerReferenceTo(site, Website)] }`.
 * kube-rs's `controller_owner_ref`.
 *
 * Caveats: the API server refuses a namespaced owner of an object in another namespace (or of a
 * cluster-scoped object); {@link setControllerReference} checks that, this cannot (it sees no object).
 * @throws {OwnerReferenceError} `OwnerNotPersisted` when the owner has no name or uid yet.
 */
export function controllerReferenceTo(owner: KubeObject, ownerResource: Resource, options: OwnerReferenceOptions = {}): V1OwnerReference {
  const unplaced: KubeObject = { metadata: { ...(ownerResource.namespaced && owner.metadata?.namespace ? { namespace: owner.metadata.namespace } : {}) } };
  return referenceTo(owner, ownerResource, unplaced, true, options);
}

/** The reference with `controller: true`, if any (`metav1.GetControllerOf`). */
export function getControllerOf(object: KubeObject): V1OwnerReference | undefined {
  return object.metadata?.ownerReferences?.find((r) => r.controller === true);
}

/**
 * Makes `owner` the controller of `object` (in place): an ownerReference with `controller: true`
 * and `blockOwnerDeletion: true`, so the garbage collector deletes `object` with its owner and
 * `owns(Kind)` watches map it back to the owner. controller-runtime's `SetControllerReference`.
 *
 * Guarantees: idempotent (an existing reference to the same owner is replaced, not duplicated);
 * other owner references are kept; nothing changes when it throws.
 * @throws {AlreadyOwnedError} when another object is already the controller.
 * @throws {OwnerReferenceError} `CrossNamespace`, `ClusterScopedOwned` or `OwnerNotPersisted`.
 * @throws {HelperError} `FrozenObject` when `object` is the cache's frozen object.
 */
export function setControllerReference<T extends KubeObject>(owner: KubeObject, object: T, ownerResource: Resource, options: OwnerReferenceOptions = {}): T {
  const ref = referenceTo(owner, ownerResource, object, true, options);
  const existing = getControllerOf(object);
  if (existing !== undefined && !sameObject(existing, ref)) {
    throw new AlreadyOwnedError({
      message: `${object.metadata?.name ?? 'object'} is already owned by another controller: ${existing.kind} ${existing.name} (${existing.apiVersion})`,
      owner: { apiVersion: existing.apiVersion, kind: existing.kind, name: existing.name, uid: existing.uid },
    });
  }
  upsert(object, ref, 'setControllerReference');
  return object;
}

/**
 * Adds (or refreshes) a non-controller ownerReference to `owner` on `object`, in place.
 * controller-runtime's `SetOwnerReference`; an existing controller flag on that owner's reference is kept.
 * @throws {OwnerReferenceError} `CrossNamespace`, `ClusterScopedOwned` or `OwnerNotPersisted`.
 * @throws {HelperError} `FrozenObject` when `object` is the cache's frozen object.
 */
export function setOwnerReference<T extends KubeObject>(owner: KubeObject, object: T, ownerResource: Resource, options: OwnerReferenceOptions = {}): T {
  const ref = referenceTo(owner, ownerResource, object, false, options);
  const existing = object.metadata?.ownerReferences?.find((r) => sameObject(r, ref));
  upsert(object, existing?.controller === true ? { ...ref, controller: true } : ref, 'setOwnerReference');
  return object;
}

/** Whether `object`'s controller reference points at `owner` (by uid). */
export function isControlledBy(object: KubeObject, owner: KubeObject): boolean {
  const uid = owner.metadata?.uid;
  return uid !== undefined && getControllerOf(object)?.uid === uid;
}
