import { gvkString, type Resource } from '../api/resource.js';
import { OpkitError } from '../errors/opkit-error.js';

/**
 * Why a watcher could not list or watch. Every reason but `KindNotServed` is retried by the
 * watcher itself; consumers only see them as `error` events.
 */
export type WatchErrorReason =
  | 'KindNotServed'
  | 'Forbidden'
  | 'ResourceExpired'
  | 'WatchStalled'
  | 'ListFailed'
  | 'WatchFailed'
  | 'WatchClosedEarly'
  | 'BadWatchEvent';

/** An error of the watcher, naming the kind it was watching. */
export class WatchError extends OpkitError {
  declare readonly reason: WatchErrorReason;
  /** `Kind.version.group` of the watched resource. */
  readonly gvk: string;

  constructor(options: {
    reason: WatchErrorReason;
    resource: Pick<Resource, 'group' | 'version' | 'kind'>;
    message: string;
    cause?: unknown;
    retryable?: boolean;
  }) {
    const gvk = gvkString(options.resource);
    super({
      reason: options.reason,
      message: `${gvk}: ${options.message}`,
      cause: options.cause,
      retryable: options.retryable ?? true,
    });
    this.gvk = gvk;
  }
}

/**
 * The API server does not serve the kind: the first list answered 404 (the CRD is not installed,
 * or the group/version/plural is wrong). Not retryable: the watcher throws it, which fails
 * `waitForSync` and the cache's `start`.
 */
export class KindNotServedError extends WatchError {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
  readonly plural: string;

  constructor(options: { resource: Pick<Resource, 'group' | 'version' | 'kind' | 'plural'>; detail: string; cause?: unknown }) {
    const { group, version, kind, plural } = options.resource;
    const gv = group === '' ? version : `${group}/${version}`;
    super({
      reason: 'KindNotServed',
      resource: options.resource,
      message: `kind ${kind} (resource "${plural}" in ${gv}) is not served by the API server: ${options.detail}. Install its CRD or fix the descriptor.`,
      cause: options.cause,
      retryable: false,
    });
    this.group = group;
    this.version = version;
    this.kind = kind;
    this.plural = plural;
  }
}

/**
 * The API server refused to list or watch the kind (HTTP 403): the operator's identity lacks an
 * RBAC rule. Not retryable: the watcher throws it (before its first watch delivered anything), which
 * fails `waitForSync`, the cache's `start` and so `mgr.start()` at once, instead of retrying until
 * the cache-sync timeout. The message names the rule to grant.
 */
export class ForbiddenError extends WatchError {
  /** API group of the resource (`''` for the core group). */
  readonly group: string;
  /** The resource (plural), e.g. `widgets`. */
  readonly resource: string;
  /** What was refused. */
  readonly verb: 'list' | 'watch';
  /** The namespace asked for; undefined for all namespaces (or a cluster-scoped kind). */
  readonly namespace: string | undefined;

  constructor(options: { resource: Pick<Resource, 'group' | 'version' | 'kind' | 'plural'>; verb: 'list' | 'watch'; namespace: string | undefined; detail: string; cause?: unknown }) {
    const { group, plural } = options.resource;
    const where = options.namespace ? `in namespace "${options.namespace}"` : 'at the cluster scope (all namespaces)';
    const binding = options.namespace ? `a Role in namespace ${options.namespace} (or a ClusterRole) bound to it` : 'a ClusterRole bound to it with a ClusterRoleBinding';
    super({
      reason: 'Forbidden',
      resource: options.resource,
      message:
        `forbidden to ${options.verb} ${plural}${group ? `.${group}` : ''} ${where}: ${options.detail}. ` +
        `Grant the operator's identity the rule {apiGroups: ["${group}"], resources: ["${plural}"], verbs: ["get", "list", "watch"]} in ${binding}.`,
      cause: options.cause,
      retryable: false,
    });
    this.group = group;
    this.resource = plural;
    this.verb = options.verb;
    this.namespace = options.namespace;
  }
}

/** The resourceVersion to resume from is too old (HTTP 410 Gone / `Expired`); the watcher relists. */
export class ResourceExpiredError extends WatchError {
  constructor(options: { resource: Pick<Resource, 'group' | 'version' | 'kind'>; resourceVersion: string; cause?: unknown }) {
    super({
      reason: 'ResourceExpired',
      resource: options.resource,
      message: `resourceVersion ${options.resourceVersion} is too old (410 Gone); relisting`,
      cause: options.cause,
    });
  }
}

/** A watch connection delivered nothing (no event, no bookmark) for the stall timeout; the watcher reconnects. */
export class WatchStalledError extends WatchError {
  readonly stallTimeoutMs: number;

  constructor(options: { resource: Pick<Resource, 'group' | 'version' | 'kind'>; stallTimeoutMs: number }) {
    super({
      reason: 'WatchStalled',
      resource: options.resource,
      message: `the watch was silent for ${options.stallTimeoutMs} ms (no event, no bookmark); reconnecting`,
    });
    this.stallTimeoutMs = options.stallTimeoutMs;
  }
}
