import { ApiError } from './errors.js';

/** The RBAC permission a forbidden (HTTP 403) request lacked. */
export interface MissingRule {
  /** API group; `''` is the core group. */
  readonly group: string;
  /** Resource plural, or `plural/subresource`. */
  readonly resource: string;
  /** RBAC verb: get, list, watch, create, update, patch, delete or deletecollection. */
  readonly verb: string;
  /** Namespace of the request; `undefined` for a cluster-scoped request. */
  readonly namespace: string | undefined;
  /** The object's name, when the request named one. */
  readonly name: string | undefined;
}

/**
 * The RBAC rule a 403 answer lacked, derived from the request (method and path), so it names
 * exactly what the client asked for; `undefined` when `thrown` is not a 403 on a resource path
 * (looked for through up to five `cause`s, so a helper's wrapping error still counts).
 *
 * Caveats: a GET on a collection is reported as `list` (the path does not tell a watch apart).
 */
export function missingRule(thrown: unknown): MissingRule | undefined {
  let err = thrown;
  // a 403 wrapped by a helper (FinalizerError's cause, …) still names its rule
  for (let depth = 0; depth < 5 && !(err instanceof ApiError) && err instanceof Error && err.cause !== undefined; depth++) err = err.cause;
  if (!(err instanceof ApiError) || err.status !== 403) return undefined;
  const parts = err.path.split('?')[0]?.split('/').filter((p) => p !== '') ?? [];
  let rest: string[];
  let group: string;
  if (parts[0] === 'api' && parts.length >= 3) {
    group = '';
    rest = parts.slice(2);
  } else if (parts[0] === 'apis' && parts.length >= 4) {
    group = parts[1] as string;
    rest = parts.slice(3);
  } else {
    return undefined;
  }
  let namespace: string | undefined;
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    namespace = rest[1];
    rest = rest.slice(2);
  }
  const [plural, name, subresource] = rest;
  if (plural === undefined) return undefined;
  const resource = subresource === undefined ? plural : `${plural}/${subresource}`;
  const verb = verbOf(err.method, name !== undefined);
  if (verb === undefined) return undefined;
  return { group, resource, verb, namespace, name };
}

function verbOf(method: string, named: boolean): string | undefined {
  switch (method.toUpperCase()) {
    case 'GET':
      return named ? 'get' : 'list';
    case 'POST':
      return 'create';
    case 'PUT':
      return 'update';
    case 'PATCH':
      return 'patch';
    case 'DELETE':
      return named ? 'delete' : 'deletecollection';
    default:
      return undefined;
  }
}

/**
 * One line naming the missing rule and the `@rbac` marker that grants it, e.g.
 * `RBAC forbids create on deployments (API group "apps") in namespace "default": add
 * "@rbac groups=apps resources=deployments verbs=create" to the controller and run opkit generate rbac`.
 */
export function describeMissingRule(rule: MissingRule): string {
  const where = rule.namespace === undefined ? 'at cluster scope' : `in namespace "${rule.namespace}"`;
  const groups = rule.group === '' ? 'core' : rule.group;
  return (
    `RBAC forbids ${rule.verb} on ${rule.resource} (API group "${rule.group}") ${where}: ` +
    `add "@rbac groups=${groups} resources=${rule.resource} verbs=${rule.verb}" to the controller and run opkit generate rbac`
  );
}
