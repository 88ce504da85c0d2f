import { apiVersionOf, type KubeObject, type Resource } from '../../runtime/src/api/resource.js';
import type { Client, JsonPatchOperation, ObjectKey, StatusWriter } from '../../runtime/src/client/client.js';
import { ApiError } from '../../runtime/src/client/errors.js';

/** One recorded call of the {@link MemoryClient}. */
export interface MemoryCall {
  readonly verb: 'get' | 'list' | 'create' | 'update' | 'patch' | 'delete' | 'status.update' | 'status.patch';
  readonly kind: string;
  readonly key: string;
  readonly body?: unknown;
}

const clone = <T>(v: T): T => structuredClone(v);

function apiError(status: number, reason: string, message: string): ApiError {
  return new ApiError({ status, method: 'TEST', path: '/memory', body: { kind: 'Status', reason, message, code: status } });
}

function applyMergePatch(target: unknown, patch: unknown): unknown {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) return clone(patch);
  const out: Record<string, unknown> = target !== null && typeof target === 'object' && !Array.isArray(target) ? { ...(target as Record<string, unknown>) } : {};
  for (const [k, v] of Object.entries(patch as Record<string, unknown>)) {
    if (v === null) delete out[k];
    else out[k] = applyMergePatch(out[k], v);
  }
  return out;
}

function applyJsonPatch(target: Record<string, unknown>, ops: readonly JsonPatchOperation[]): Record<string, unknown> {
  const doc = clone(target);
  for (const op of ops) {
    const parts = op.path.split('/').slice(1).map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
    const last = parts.pop() ?? '';
    let parent: unknown = doc;
    for (const p of parts) parent = (parent as Record<string, unknown> | undefined)?.[p];
    const container = parent as Record<string, unknown> | unknown[] | undefined;
    const current = container === undefined ? undefined : Array.isArray(container) ? container[Number(last)] : container[last];
    if (op.op === 'test') {
      if (JSON.stringify(current ?? null) !== JSON.stringify(op.value ?? null)) throw apiError(422, 'Invalid', `test operation failed at ${op.path}`);
    } else if (container === undefined) {
      throw apiError(422, 'Invalid', `missing parent of ${op.path}`);
    } else if (op.op === 'add' || op.op === 'replace') {
      if (Array.isArray(container)) {
        if (last === '-') container.push(clone(op.value));
        else if (op.op === 'add') container.splice(Number(last), 0, clone(op.value));
        else container[Number(last)] = clone(op.value);
      } else container[last] = clone(op.value);
    } else if (op.op === 'remove') {
      if (Array.isArray(container)) container.splice(Number(last), 1);
      else delete container[last];
    }
  }
  return doc;
}

/**
 * An in-memory {@link Client} for unit tests: objects per (kind, namespace/name), a global
 * resourceVersion counter, Conflict on a stale `update`, AlreadyExists, NotFound; merge and JSON
 * patches (with `test`). `fail` injects errors; `calls` records every call.
 */
export class MemoryClient implements Client {
  readonly objects = new Map<string, KubeObject>();
  readonly calls: MemoryCall[] = [];
  /** When set, called before every call; a thrown error is the call's rejection. */
  fail: ((call: MemoryCall) => void) | undefined;
  #rv = 0;
  readonly status: StatusWriter = {
    update: (resource, object, options) => this.#write('status.update', resource, object, options?.signal),
    patch: (resource, key, patch, options) => this.#patch('status.patch', resource, key, patch, options?.type ?? 'merge', options?.signal),
    apply: () => Promise.reject(new Error('apply is not supported by MemoryClient')),
  };

  static key(resource: Resource, key: ObjectKey): string {
    return `${resource.kind}:${key.namespace ?? ''}/${key.name}`;
  }

  async get<T extends KubeObject>(resource: Resource<T>, key: ObjectKey): Promise<T> {
    this.#record({ verb: 'get', kind: resource.kind, key: MemoryClient.key(resource, key) });
    const found = this.objects.get(MemoryClient.key(resource, key));
    if (!found) throw apiError(404, 'NotFound', `${resource.kind} ${key.name} not found`);
    return clone(found) as T;
  }

  async list<T extends KubeObject>(resource: Resource<T>, options?: { namespace?: string }): Promise<T[]> {
    this.#record({ verb: 'list', kind: resource.kind, key: options?.namespace ?? '' });
    const prefix = `${resource.kind}:${options?.namespace ?? ''}`;
    return [...this.objects.entries()].filter(([k]) => k.startsWith(options?.namespace ? `${prefix}/` : `${resource.kind}:`)).map(([, v]) => clone(v) as T);
  }

  async create<T extends KubeObject>(resource: Resource<T>, object: T): Promise<T> {
    const key = MemoryClient.key(resource, { namespace: object.metadata?.namespace, name: object.metadata?.name ?? '' });
    this.#record({ verb: 'create', kind: resource.kind, key, body: object });
    if (this.objects.has(key)) throw apiError(409, 'AlreadyExists', `${key} already exists`);
    const stored = { ...clone(object), apiVersion: apiVersionOf(resource), kind: resource.kind };
    stored.metadata = { ...stored.metadata, uid: `uid-${++this.#rv}`, resourceVersion: String(this.#rv), generation: 1 };
    this.objects.set(key, stored);
    return clone(stored);
  }

  update<T extends KubeObject>(resource: Resource<T>, object: T, options?: { signal?: AbortSignal }): Promise<T> {
    return this.#write('update', resource, object, options?.signal);
  }

  patch<T extends KubeObject>(resource: Resource<T>, key: ObjectKey, patch: unknown, options?: { type?: string; signal?: AbortSignal }): Promise<T> {
    return this.#patch('patch', resource, key, patch, options?.type ?? 'merge', options?.signal);
  }

  apply<T extends KubeObject>(): Promise<T> {
    return Promise.reject(new Error('apply is not supported by MemoryClient'));
  }

  async delete(resource: Resource, key: ObjectKey): Promise<boolean> {
    this.#record({ verb: 'delete', kind: resource.kind, key: MemoryClient.key(resource, key) });
    return this.objects.delete(MemoryClient.key(resource, key));
  }

  /** Replaces a stored object as another writer would (bumps the resourceVersion). */
  put<T extends KubeObject>(resource: Resource<T>, object: T): void {
    const key = MemoryClient.key(resource, { namespace: object.metadata?.namespace, name: object.metadata?.name ?? '' });
    this.objects.set(key, { ...clone(object), metadata: { ...object.metadata, resourceVersion: String(++this.#rv) } });
  }

  #record(call: MemoryCall): void {
    this.calls.push(call);
    this.fail?.(call);
  }

  async #write<T extends KubeObject>(verb: MemoryCall['verb'], resource: Resource<T>, object: T, signal?: AbortSignal): Promise<T> {
    const key = MemoryClient.key(resource, { namespace: object.metadata?.namespace, name: object.metadata?.name ?? '' });
    this.#record({ verb, kind: resource.kind, key, body: object });
    if (signal?.aborted) throw apiError(0, 'Transport', 'aborted');
    const current = this.objects.get(key);
    if (!current) throw apiError(404, 'NotFound', `${key} not found`);
    const rv = object.metadata?.resourceVersion;
    if (rv !== undefined && rv !== current.metadata?.resourceVersion) throw apiError(409, 'Conflict', `${key}: the object has been modified`);
    const stored = { ...clone(object), apiVersion: apiVersionOf(resource), kind: resource.kind };
    stored.metadata = { ...stored.metadata, ...(current.metadata?.uid ? { uid: current.metadata.uid } : {}), resourceVersion: String(++this.#rv) };
    this.objects.set(key, stored);
    return clone(stored);
  }

  async #patch<T extends KubeObject>(verb: MemoryCall['verb'], resource: Resource<T>, objectKey: ObjectKey, patch: unknown, type: string, signal?: AbortSignal): Promise<T> {
    const key = MemoryClient.key(resource, objectKey);
    this.#record({ verb, kind: resource.kind, key, body: patch });
    if (signal?.aborted) throw apiError(0, 'Transport', 'aborted');
    const current = this.objects.get(key);
    if (!current) throw apiError(404, 'NotFound', `${key} not found`);
    const next = (type === 'json' ? applyJsonPatch(current as Record<string, unknown>, patch as JsonPatchOperation[]) : applyMergePatch(current, patch)) as KubeObject;
    const rv = next.metadata?.resourceVersion;
    if (type !== 'json' && rv !== undefined && rv !== current.metadata?.resourceVersion) throw apiError(409, 'Conflict', `${key}: the object has been modified`);
    next.metadata = { ...next.metadata, resourceVersion: String(++this.#rv) };
    this.objects.set(key, next);
    return clone(next) as T;
  }
}
