import type { V1ObjectMeta } from '@kubernetes/client-node';

/** The minimal shape of every Kubernetes object. */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata?: V1ObjectMeta;
}

/**
 * Describes one kind to the runtime: where it is served and how it is addressed. A kind is a type
 * and a value of the same name, so `client.get(Widget, ...)` returns a `Widget`:
 *
 * ```ts
 * export interface Widget extends KubeObject { spec?: WidgetSpec; status?: WidgetStatus }
 * export const Widget: Resource<Widget> = { group: 'example.com', version: 'v1', kind: 'Widget',
 *   plural: 'widgets', namespaced: true, subresources: { status: true } };
 * ```
 */
export interface Resource<T extends KubeObject = KubeObject> {
  /** API group; `''` for the core group (ConfigMap, Pod, ...). */
  readonly group: string;
  readonly version: string;
  readonly kind: string;
  /** Lower-case plural used in URLs, e.g. `widgets`. */
  readonly plural: string;
  readonly namespaced: boolean;
  readonly subresources?: { readonly status?: boolean; readonly scale?: boolean };
  /** Type-only marker carrying `T`; never set at run time. */
  readonly __type?: T;
}

/** The object type a descriptor describes: `ObjectOf<typeof Widget>` is `Widget`. */
export type ObjectOf<R> = R extends Resource<infer T> ? T : never;

/** `group/version`, or `version` for the core group. */
export function apiVersionOf(resource: Pick<Resource, 'group' | 'version'>): string {
  return resource.group === '' ? resource.version : `${resource.group}/${resource.version}`;
}

/** `Kind.version.group` (`Kind.version` for the core group), a readable key for logs and errors. */
export function gvkString(resource: Pick<Resource, 'group' | 'version' | 'kind'>): string {
  return resource.group === '' ? `${resource.kind}.${resource.version}` : `${resource.kind}.${resource.version}.${resource.group}`;
}
