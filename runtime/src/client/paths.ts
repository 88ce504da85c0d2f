import type { Resource } from '../api/resource.js';
import { apiVersionOf } from '../api/resource.js';

/**
 * The REST path of a resource collection or object:
 * `/api/v1/namespaces/ns/configmaps/name` or `/apis/group/version/plural/name/status`.
 *
 * Caveats: for a namespaced resource with no namespace the path is cluster-wide (list/watch across
 * all namespaces).
 */
export function resourcePath(
  resource: Pick<Resource, 'group' | 'version' | 'plural' | 'namespaced'>,
  target: { namespace?: string | undefined; name?: string | undefined; subresource?: string | undefined } = {},
): string {
  const prefix = resource.group === '' ? `/api/${resource.version}` : `/apis/${apiVersionOf(resource)}`;
  const ns = resource.namespaced && target.namespace ? `/namespaces/${encodeURIComponent(target.namespace)}` : '';
  const name = target.name ? `/${encodeURIComponent(target.name)}` : '';
  const sub = target.name && target.subresource ? `/${target.subresource}` : '';
  return `${prefix}${ns}/${resource.plural}${name}${sub}`;
}
