import { apiVersionOf, gvkString, type KubeObject, type Resource } from '../api/resource.js';
import { ApiError } from './errors.js';
import { resourcePath } from './paths.js';
import type { Query, Transport } from './transport.js';

/** A namespaced or cluster-scoped object name. */
export interface ObjectKey {
  readonly namespace?: string | undefined;
  readonly name: string;
}

/** A list answer: the items and the list's resourceVersion and continue token. */
export interface ObjectList<T> {
  items: T[];
  metadata: { resourceVersion?: string; continue?: string; remainingItemCount?: number };
}

/** Options of {@link Reader.get}. */
export interface GetOptions {
  readonly signal?: AbortSignal;
  /**
   * Reads answered by a cache (the manager's client): return the cache's shared, deep-frozen
   * object instead of a private copy — controller-runtime's `UnsafeDisableDeepCopy`. Faster and
   * allocation-free, but the object must not be changed (a change throws a TypeError); copy it
   * (`structuredClone`) before writing it back. Default: the client's setting (a copy). Readers
   * of the API server ignore it (their answers are always private).
   */
  readonly unsafeDisableDeepCopy?: boolean;
}

/** Options of {@link Reader.list}. */
export interface ListOptions {
  /** Namespace to list in; all namespaces when omitted. */
  readonly namespace?: string;
  /** Label selector, as a string (`app=web,tier!=db`) or an equality map. */
  readonly labelSelector?: string | Readonly<Record<string, string>>;
  /** Field selector, as a string (`metadata.name=x`) or an equality map. */
  readonly fieldSelector?: string | Readonly<Record<string, string>>;
  /** Page size (server-side pagination); all pages are fetched. */
  readonly limit?: number;
  readonly signal?: AbortSignal;
  /** Cached reads: return the shared, frozen objects instead of private copies (see {@link GetOptions.unsafeDisableDeepCopy}). */
  readonly unsafeDisableDeepCopy?: boolean;
}

/** How to patch. */
export type PatchType = 'merge' | 'strategic' | 'json';

/** A JSON patch (RFC 6902) operation. */
export interface JsonPatchOperation {
  op: 'add' | 'remove' | 'replace' | 'move' | 'copy' | 'test';
  path: string;
  value?: unknown;
  from?: string;
}

type Primitive = string | number | boolean | bigint | symbol | null | undefined;

/**
 * A JSON merge patch (RFC 7386) of `T`, what `patch` takes by default: every field optional at
 * every depth, `null` removes a field, an array is replaced whole (so its elements are complete).
 * Times (`Date` in the client-node types) may be given as RFC 3339 strings.
 */
export type MergePatch<T> = unknown extends T
  ? unknown
  : T extends Primitive
    ? T
    : T extends Date
      ? Date | string
      : T extends readonly unknown[]
        ? T
        : { [K in keyof T]?: MergePatch<T[K]> | null };

/**
 * A strategic merge patch of `T` (built-in kinds only: the API server refuses it for custom
 * resources): like {@link MergePatch}, but list elements are partial too (the server merges lists
 * by their merge key, e.g. containers by `name`).
 */
export type StrategicMergePatch<T> = unknown extends T
  ? unknown
  : T extends Primitive
    ? T
    : T extends Date
      ? Date | string
      : T extends readonly (infer U)[]
        ? readonly StrategicMergePatch<U>[]
        : { [K in keyof T]?: StrategicMergePatch<T[K]> | null };

/** A partial `T` at every depth, list elements included: what server-side apply merges. */
export type DeepPartial<T> = unknown extends T
  ? unknown
  : T extends Primitive
    ? T
    : T extends Date
      ? Date | string
      : T extends readonly (infer U)[]
        ? readonly DeepPartial<U>[]
        : { [K in keyof T]?: DeepPartial<T[K]> };

/**
 * A server-side apply configuration of `T`: the fields this field manager owns, at any depth, and
 * `metadata.name` (the client adds apiVersion and kind). Leaving a field out of a later apply
 * gives it up (the server removes it unless another manager owns it).
 */
export type ApplyConfiguration<T> = DeepPartial<T> & { readonly metadata: { readonly name: string } };

/** The body `patch` takes for a patch type `P`: a merge patch of `T` by default. */
export type PatchFor<T, P extends PatchType> = P extends 'json' ? readonly JsonPatchOperation[] : P extends 'strategic' ? StrategicMergePatch<T> : MergePatch<T>;

/** Options of `patch`: `type` picks the patch format (default `merge`) and so the body's type. */
export type PatchOptions<P extends PatchType = PatchType> = WriteOptions & { readonly type?: P };

/** Options shared by writes. */
export interface WriteOptions {
  /** Field manager recorded in managedFields (default `opkit`). */
  readonly fieldManager?: string;
  /** Server-side dry run. */
  readonly dryRun?: boolean;
  readonly signal?: AbortSignal;
}

/** Options of {@link Writer.apply}. */
export interface ApplyOptions extends WriteOptions {
  /** Take ownership of fields other managers own (default false). */
  readonly force?: boolean;
}

/** Options of {@link Writer.delete}. */
export interface DeleteOptions extends WriteOptions {
  readonly propagationPolicy?: 'Foreground' | 'Background' | 'Orphan';
  readonly gracePeriodSeconds?: number;
  /** Only delete if the object still has this UID / resourceVersion. */
  readonly preconditions?: { uid?: string; resourceVersion?: string };
}

/** Reads objects. The cache implements it too. */
export interface Reader {
  /** @throws ApiError NotFound when there is no such object. */
  get<T extends KubeObject>(resource: Resource<T>, key: ObjectKey, options?: GetOptions): Promise<T>;
  list<T extends KubeObject>(resource: Resource<T>, options?: ListOptions): Promise<T[]>;
}

/** Writes objects. */
export interface Writer {
  create<T extends KubeObject>(resource: Resource<T>, object: T, options?: WriteOptions): Promise<T>;
  /** Replaces the object; fails with a Conflict when `metadata.resourceVersion` is stale. */
  update<T extends KubeObject>(resource: Resource<T>, object: T, options?: WriteOptions): Promise<T>;
  /**
   * Patches the object at `key`. The body is typed by `options.type`: a {@link MergePatch} of `T`
   * (default), a {@link StrategicMergePatch} (`strategic`) or JSON patch operations (`json`).
   */
  patch<T extends KubeObject, P extends PatchType = 'merge'>(resource: Resource<T>, key: ObjectKey, patch: NoInfer<PatchFor<T, P>>, options?: PatchOptions<P>): Promise<T>;
  /**
   * Server-side apply of the fields this field manager owns ({@link ApplyConfiguration}: a partial
   * `T` with `metadata.name`); apiVersion and kind are added. Resolves with the whole object.
   */
  apply<T extends KubeObject>(resource: Resource<T>, object: NoInfer<ApplyConfiguration<T>>, options: ApplyOptions): Promise<T>;
  /** Deletes the object; resolves `false` when it was already gone. */
  delete(resource: Resource, key: ObjectKey, options?: DeleteOptions): Promise<boolean>;
}

/** Writes the status subresource. */
export interface StatusWriter {
  update<T extends KubeObject>(resource: Resource<T>, object: T, options?: WriteOptions): Promise<T>;
  /** Patches the status subresource; the body is typed as in {@link Writer.patch} (`{ status: … }`). */
  patch<T extends KubeObject, P extends PatchType = 'merge'>(resource: Resource<T>, key: ObjectKey, patch: NoInfer<PatchFor<T, P>>, options?: PatchOptions<P>): Promise<T>;
  /** Server-side apply of the status (`{ metadata: { name }, status: … }`). */
  apply<T extends KubeObject>(resource: Resource<T>, object: NoInfer<ApplyConfiguration<T>>, options: ApplyOptions): Promise<T>;
}

/** Reads and writes objects, and their status: controller-runtime's `client.Client`. */
export interface Client extends Reader, Writer {
  readonly status: StatusWriter;
}

const PATCH_CONTENT_TYPES: Record<PatchType | 'apply', string> = {
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  json: 'application/json-patch+json',
  apply: 'application/apply-patch+yaml',
};

/** Renders a selector map as `k=v,k2=v2`; strings pass through. */
export function selectorString(selector: string | Readonly<Record<string, string>> | undefined): string | undefined {
  if (selector === undefined || typeof selector === 'string') return selector;
  const parts = Object.entries(selector).map(([k, v]) => `${k}=${v}`);
  return parts.length ? parts.join(',') : undefined;
}

function keyOf(object: { readonly metadata?: { readonly name?: string; readonly namespace?: string } }, resource: Resource): ObjectKey {
  const name = object.metadata?.name;
  if (!name) {
    throw new ApiError({
      status: 0,
      method: 'WRITE',
      path: resourcePath(resource),
      text: `${gvkString(resource)} object has no metadata.name`,
    });
  }
  return { namespace: object.metadata?.namespace, name };
}

function withTypeMeta<B extends object>(resource: Resource, object: B): B & { apiVersion: string; kind: string } {
  return { ...object, apiVersion: apiVersionOf(resource), kind: resource.kind };
}

/** The query of a write without options (the common case): one shared object, not one per write. */
const DEFAULT_WRITE_QUERY: Query = Object.freeze({ fieldManager: 'opkit' });

/** Most namespaces whose collection paths one client keeps per resource (then it starts over). */
const MAX_CACHED_NAMESPACES = 1024;

/**
 * Object paths of one client: the collection path of each (resource, namespace) is built once
 * (`resourcePath`), an object's path is that plus its encoded name.
 */
class ObjectPaths {
  readonly #collections = new WeakMap<Resource, Map<string, string>>();

  object(resource: Resource, namespace: string | undefined, name: string, subresource: string | undefined): string {
    let byNamespace = this.#collections.get(resource);
    if (byNamespace === undefined) this.#collections.set(resource, (byNamespace = new Map()));
    const ns = resource.namespaced && namespace ? namespace : '';
    let collection = byNamespace.get(ns);
    if (collection === undefined) {
      if (byNamespace.size >= MAX_CACHED_NAMESPACES) byNamespace.clear();
      byNamespace.set(ns, (collection = resourcePath(resource, { namespace: ns })));
    }
    if (!name) return collection;
    const path = `${collection}/${encodeURIComponent(name)}`;
    return subresource ? `${path}/${subresource}` : path;
  }
}

function writeQuery(options: WriteOptions | undefined, extra?: Query): Query {
  if (extra === undefined && options?.fieldManager === undefined && !options?.dryRun) return DEFAULT_WRITE_QUERY;
  return { fieldManager: options?.fieldManager ?? 'opkit', dryRun: options?.dryRun ? 'All' : undefined, ...extra };
}

/**
 * A {@link Client} that talks straight to the API server.
 *
 * Guarantees: every answer carries `apiVersion` and `kind` (list items too, which the API server
 * omits); typed by the descriptor: `client.get(Widget, key)` is a `Promise<Widget>`.
 */
export function createClient(transport: Transport): Client {
  const paths = new ObjectPaths();

  function writeTo<T extends KubeObject>(
    resource: Resource<T>,
    key: ObjectKey,
    subresource: string | undefined,
    method: 'PUT' | 'PATCH',
    body: unknown,
    contentType: string | undefined,
    query: Query,
    signal: AbortSignal | undefined,
  ): Promise<T> {
    const path = paths.object(resource, key.namespace, key.name, subresource);
    // one object of one shape per write (no spreads of optional fields)
    const type = contentType ?? 'application/json';
    return transport.request<T>(signal ? { method, path, query, body, contentType: type, signal } : { method, path, query, body, contentType: type });
  }

  function writer(subresource: 'status' | undefined): StatusWriter {
    return {
      update: (resource, object, options) =>
        writeTo(
          resource,
          keyOf(object, resource),
          subresource,
          'PUT',
          withTypeMeta(resource, object),
          undefined,
          writeQuery(options),
          options?.signal,
        ),
      patch: (resource, key, patch, options) =>
        writeTo(
          resource,
          key,
          subresource,
          'PATCH',
          patch,
          PATCH_CONTENT_TYPES[options?.type ?? 'merge'],
          writeQuery(options),
          options?.signal,
        ),
      apply: (resource, object, options) =>
        writeTo(
          resource,
          keyOf(object, resource),
          subresource,
          'PATCH',
          withTypeMeta(resource, object),
          PATCH_CONTENT_TYPES.apply,
          writeQuery(options, { force: options.force ? true : undefined }),
          options.signal,
        ),
    };
  }

  const main = writer(undefined);
  return {
    status: writer('status'),
    update: main.update,
    patch: main.patch,
    apply: main.apply,

    async get(resource, key, options) {
      const object = await transport.request<KubeObject>({
        method: 'GET',
        path: paths.object(resource, key.namespace, key.name, undefined),
        ...(options?.signal ? { signal: options.signal } : {}),
      });
      return withTypeMeta(resource, object as never);
    },

    async list(resource, options = {}) {
      const items: Array<KubeObject> = [];
      let continueToken: string | undefined;
      do {
        const page = await transport.request<ObjectList<KubeObject>>({
          method: 'GET',
          path: resourcePath(resource, { namespace: options.namespace }),
          query: {
            labelSelector: selectorString(options.labelSelector),
            fieldSelector: selectorString(options.fieldSelector),
            limit: options.limit,
            continue: continueToken,
          },
          ...(options.signal ? { signal: options.signal } : {}),
        });
        for (const item of page.items ?? []) items.push(withTypeMeta(resource, item as never));
        continueToken = page.metadata?.continue || undefined;
      } while (continueToken);
      return items as never;
    },

    create: (resource, object, options) =>
      transport.request({
        method: 'POST',
        path: resourcePath(resource, { namespace: object.metadata?.namespace }),
        query: writeQuery(options),
        body: withTypeMeta(resource, object),
        ...(options?.signal ? { signal: options.signal } : {}),
      }),

    async delete(resource, key, options) {
      try {
        await transport.request({
          method: 'DELETE',
          path: resourcePath(resource, key),
          query: { dryRun: options?.dryRun ? 'All' : undefined },
          body: {
            kind: 'DeleteOptions',
            apiVersion: 'v1',
            ...(options?.propagationPolicy ? { propagationPolicy: options.propagationPolicy } : {}),
            ...(options?.gracePeriodSeconds === undefined ? {} : { gracePeriodSeconds: options.gracePeriodSeconds }),
            ...(options?.preconditions ? { preconditions: options.preconditions } : {}),
          },
          ...(options?.signal ? { signal: options.signal } : {}),
        });
        return true;
      } catch (err) {
        if (err instanceof ApiError && err.status === 404) return false;
        throw err;
      }
    },
  };
}
