/**
 * Input rules of the generators. Each check returns `undefined` when the value is valid, or a
 * message naming the value and the rule it breaks (prompts show it; the CLI exits with it).
 * @module
 */
import { ScaffoldError, type ScaffoldErrorReason } from './errors.js';

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const VERSION = /^v[1-9][0-9]*((alpha|beta)[1-9][0-9]*)?$/;
const PASCAL_CASE = /^[A-Z][A-Za-z0-9]*$/;
const PACKAGE_NAME = /^(?:@[a-z0-9-*~][a-z0-9-*._~]*\/)?[a-z0-9-~][a-z0-9-._~]*$/;

/** API groups Kubernetes itself serves without a suffix (the core group is `''`). */
export const KUBERNETES_GROUPS: ReadonlySet<string> = new Set(['', 'core', 'apps', 'batch', 'policy', 'autoscaling', 'extensions']);

/** Kinds built into Kubernetes' own API groups. */
export const BUILTIN_KINDS: ReadonlySet<string> = new Set([
  'Pod', 'Service', 'ConfigMap', 'Secret', 'Namespace', 'Node', 'ServiceAccount', 'Endpoints', 'Event',
  'PersistentVolume', 'PersistentVolumeClaim', 'ReplicationController', 'ResourceQuota', 'LimitRange',
  'Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'ControllerRevision', 'Job', 'CronJob',
  'Ingress', 'IngressClass', 'NetworkPolicy', 'EndpointSlice', 'Lease', 'Role', 'RoleBinding',
  'ClusterRole', 'ClusterRoleBinding', 'CustomResourceDefinition', 'HorizontalPodAutoscaler',
  'PodDisruptionBudget', 'StorageClass', 'PriorityClass', 'RuntimeClass', 'CertificateSigningRequest',
  'MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration', 'APIService',
]);

/**
 * Kind names that cannot be used for a custom resource: API machinery kinds, names the generated
 * code imports from `@opkit/runtime`, and TypeScript's global types.
 */
export const RESERVED_KINDS: ReadonlySet<string> = new Set([
  'List', 'Status', 'WatchEvent', 'DeleteOptions', 'ListOptions', 'GetOptions', 'CreateOptions', 'UpdateOptions',
  'PatchOptions', 'Table', 'PartialObjectMetadata', 'APIGroup', 'APIGroupList', 'APIResourceList', 'APIVersions', 'Scale',
  'Manager', 'Request', 'ReconcileContext', 'ReconcileResult', 'Resource', 'KubeObject', 'Condition',
  'Array', 'Object', 'String', 'Number', 'Boolean', 'Symbol', 'BigInt', 'Function', 'Date', 'RegExp', 'Error', 'Map',
  'Set', 'Promise', 'JSON', 'Math', 'Record', 'Partial', 'Required', 'Readonly', 'Pick', 'Omit',
]);

function quote(value: string): string {
  return JSON.stringify(value);
}

/** Whether `group` is one of Kubernetes' own API groups (`apps`, `*.k8s.io`, `*.kubernetes.io`, …). */
export function isKubernetesGroup(group: string): boolean {
  return KUBERNETES_GROUPS.has(group) || group.endsWith('.k8s.io') || group.endsWith('.kubernetes.io') || group === 'k8s.io' || group === 'kubernetes.io';
}

function checkSubdomain(what: string, value: string): string | undefined {
  if (value.length > 253) return `${what} ${quote(value)} is longer than 253 characters (a DNS-1123 subdomain)`;
  const labels = value.split('.');
  if (!labels.every((l) => DNS1123_LABEL.test(l) && l.length <= 63)) {
    return `${what} ${quote(value)} is not a DNS-1123 subdomain: lower-case letters, digits, '-' and '.', each dot-separated part starting and ending with a letter or digit (e.g. "webapp", "cache.example.com")`;
  }
  return undefined;
}

/** The project name must be a valid npm package name (the folder's base name by default). */
export function checkProjectName(name: string): string | undefined {
  if (name.length === 0 || name.length > 214 || !PACKAGE_NAME.test(name)) {
    return `project name ${quote(name)} is not a valid npm package name: lower case, digits, '-', '.', '_', '~', at most 214 characters (e.g. "webapp-operator")`;
  }
  return undefined;
}

/** The domain may be empty (then `--group` is the whole API group) or a DNS-1123 subdomain. */
export function checkDomain(domain: string): string | undefined {
  return domain === '' ? undefined : checkSubdomain('domain', domain);
}

/** The short group (`webapp` of `webapp.example.com`) must be a DNS-1123 subdomain. */
export function checkGroup(group: string): string | undefined {
  return checkSubdomain('group', group);
}

/**
 * A group cannot be the domain itself (the part before the domain would be empty). A group that
 * merely ends with the domain is fine: {@link groupWithinDomain} takes it as the whole API group.
 */
export function checkGroupOfDomain(group: string, domain: string): string | undefined {
  if (domain === '' || group !== domain) return undefined;
  return `group ${quote(group)} is the project's domain itself; pass the part before the domain (e.g. --group web for "web.${domain}"), or --domain "" to make ${quote(group)} the whole API group`;
}

/**
 * The group before the domain. A group that already ends with `.<domain>` is taken as the whole
 * API group (`web.example.com` with domain `example.com` → `web`), never doubled to
 * `web.example.com.example.com`.
 */
export function groupWithinDomain(group: string, domain: string): string {
  return domain !== '' && group.endsWith(`.${domain}`) ? group.slice(0, -(domain.length + 1)) : group;
}

/** The API group, `<group>.<domain>`: not one of Kubernetes' own, and it must contain a dot. */
export function checkApiGroup(apiGroup: string, kind: string): { reason: ScaffoldErrorReason; message: string } | undefined {
  const subdomain = checkSubdomain('API group', apiGroup);
  if (subdomain !== undefined) return { reason: 'InvalidGroup', message: subdomain };
  if (isKubernetesGroup(apiGroup)) {
    if (BUILTIN_KINDS.has(kind)) {
      return { reason: 'ReservedKind', message: `kind ${quote(kind)} is built into Kubernetes in API group ${quote(apiGroup)}: a custom resource cannot redefine a built-in kind in a Kubernetes API group; choose another group (e.g. --domain example.com)` };
    }
    return { reason: 'ReservedGroup', message: `API group ${quote(apiGroup)} is reserved for Kubernetes' own APIs (the core groups, *.k8s.io and *.kubernetes.io); use your own domain (e.g. --domain example.com)` };
  }
  if (!apiGroup.includes('.')) {
    return { reason: 'InvalidGroup', message: `API group ${quote(apiGroup)} must contain a dot (a CustomResourceDefinition's group is a domain, e.g. "webapp.example.com"); pass --domain` };
  }
  return undefined;
}

/** A Kubernetes API version: `v1`, `v2`, `v1alpha1`, `v2beta3`. */
export function checkVersion(version: string): string | undefined {
  if (!VERSION.test(version)) {
    return `version ${quote(version)} is not a Kubernetes API version: v<major>, optionally followed by alpha<n> or beta<n> (e.g. "v1", "v1alpha1", "v2beta3")`;
  }
  return undefined;
}

/** A kind is PascalCase (`^[A-Z][A-Za-z0-9]*$`), at most 63 characters, and not reserved. */
export function checkKind(kind: string): { reason: ScaffoldErrorReason; message: string } | undefined {
  if (!PASCAL_CASE.test(kind) || kind.length > 63) {
    return { reason: 'InvalidKind', message: `kind ${quote(kind)} is not PascalCase: an upper-case letter, then letters and digits, at most 63 characters (e.g. "Webapp", "CacheCluster")` };
  }
  if (RESERVED_KINDS.has(kind)) {
    return { reason: 'ReservedKind', message: `kind ${quote(kind)} is reserved: it names an API machinery type, a type the generated code imports from @opkit/runtime, or a TypeScript global; choose another kind` };
  }
  return undefined;
}

/** A plural is a lower-case DNS-1035 label (`webapps`), used in URLs and the CRD's name. */
export function checkPlural(plural: string): string | undefined {
  if (!DNS1035_LABEL.test(plural) || plural.length > 63) {
    return `plural ${quote(plural)} is not a DNS-1035 label: lower-case letters, digits and '-', starting with a letter, at most 63 characters (e.g. "webapps")`;
  }
  return undefined;
}

/** The values that define one API (one kind at one version). */
export interface ApiInput {
  readonly domain: string;
  readonly group: string;
  readonly version: string;
  readonly kind: string;
  readonly plural: string;
}

/**
 * Checks every value of an API, in a fixed order, and throws the first problem as a
 * {@link ScaffoldError} naming the value and the rule.
 */
export function assertValidApi(input: ApiInput): void {
  const fail = (reason: ScaffoldErrorReason, message: string | undefined): void => {
    if (message !== undefined) throw new ScaffoldError({ reason, message });
  };
  fail('InvalidDomain', checkDomain(input.domain));
  fail('InvalidGroup', checkGroup(input.group));
  fail('InvalidVersion', checkVersion(input.version));
  const kind = checkKind(input.kind);
  if (kind !== undefined) fail(kind.reason, kind.message);
  const apiGroup = checkApiGroup(apiGroupOf(input.group, input.domain), input.kind);
  if (apiGroup !== undefined) fail(apiGroup.reason, apiGroup.message);
  fail('InvalidPlural', checkPlural(input.plural));
}

/**
 * Checks a value that was given (a flag); nothing when it is `undefined`.
 * @throws ScaffoldError with the check's message, and its reason or else `reason`.
 */
export function assertGivenValid(
  value: string | undefined,
  check: (v: string) => string | undefined | { reason: ScaffoldErrorReason; message: string },
  reason: ScaffoldErrorReason,
): void {
  if (value === undefined) return;
  const problem = check(value);
  if (problem === undefined) return;
  throw typeof problem === 'string' ? new ScaffoldError({ reason, message: problem }) : new ScaffoldError(problem);
}

/** `<group>.<domain>`, or `<group>` when the domain is empty. */
export function apiGroupOf(group: string, domain: string): string {
  return domain === '' ? group : `${group}.${domain}`;
}
