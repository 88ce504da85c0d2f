/**
 * RBAC policy rules as `opkit generate rbac` collects them: one permission per (group, resource,
 * verb), normalized into a stable, deduplicated list of rules.
 * @module
 */
import type { SourceLocation } from '../errors.js';

/** The verbs a rule may grant. Wildcards are never written. */
export const RBAC_VERBS = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete', 'deletecollection'] as const;

/** One verb of {@link RBAC_VERBS}. */
export type RbacVerb = (typeof RBAC_VERBS)[number];

/** Where a permission comes from, for messages (`@rbac` marker, `owns(Deployment)`, the runtime). */
export interface PermissionSource {
  readonly what: string;
  readonly location?: SourceLocation;
}

/** A set of verbs on resources of one API group, optionally limited to some names. */
export interface Permission {
  /** API group; `''` is the core group. */
  readonly group: string;
  /** Resource (plural) or `plural/subresource`. */
  readonly resource: string;
  readonly verbs: readonly RbacVerb[];
  /** Limits the permission to these object names (default: every name). */
  readonly resourceNames?: readonly string[];
  /** The namespace of a namespaced rule; `undefined` is the manager's scope, `''` the ClusterRole. */
  readonly namespace?: string;
  /** In the operator's own namespace (its ServiceAccount's), whatever the manager's scope. */
  readonly operatorNamespace?: boolean;
  readonly source: PermissionSource;
}

/** A rule of a Role or ClusterRole (`rbac.authorization.k8s.io/v1` PolicyRule). */
export interface PolicyRule {
  readonly apiGroups: readonly string[];
  readonly resources: readonly string[];
  readonly resourceNames?: readonly string[];
  readonly verbs: readonly RbacVerb[];
}

const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Merges permissions into rules: verbs of the same (group, resource, names) are united, then
 * resources of one group with the same verbs and names share a rule.
 *
 * Guarantees: the output depends only on the set of permissions, not their order; every list is
 * sorted and free of duplicates.
 */
export function normalizeRules(permissions: readonly Permission[]): PolicyRule[] {
  const byResource = new Map<string, { group: string; resource: string; names: readonly string[]; verbs: Set<RbacVerb> }>();
  for (const p of permissions) {
    const names = [...new Set(p.resourceNames ?? [])].sort(compare);
    const key = JSON.stringify([p.group, p.resource, names]);
    const entry = byResource.get(key) ?? { group: p.group, resource: p.resource, names, verbs: new Set<RbacVerb>() };
    for (const verb of p.verbs) entry.verbs.add(verb);
    byResource.set(key, entry);
  }
  const byVerbs = new Map<string, { group: string; names: readonly string[]; verbs: RbacVerb[]; resources: string[] }>();
  for (const entry of byResource.values()) {
    const verbs = [...entry.verbs].sort(compare);
    const key = JSON.stringify([entry.group, entry.names, verbs]);
    const rule = byVerbs.get(key) ?? { group: entry.group, names: entry.names, verbs, resources: [] };
    rule.resources.push(entry.resource);
    byVerbs.set(key, rule);
  }
  return [...byVerbs.values()]
    .map((r) => ({ apiGroups: [r.group], resources: r.resources.sort(compare), ...(r.names.length > 0 ? { resourceNames: r.names } : {}), verbs: r.verbs }))
    .sort((a, b) => compare(a.apiGroups[0] ?? '', b.apiGroups[0] ?? '') || compare(a.resources[0] ?? '', b.resources[0] ?? '') || compare((a.resourceNames ?? []).join(), (b.resourceNames ?? []).join()) || compare(a.verbs.join(), b.verbs.join()));
}

const quote = (value: string): string => (value === '' || !/^[a-z0-9][a-z0-9.\-/]*$/.test(value) ? JSON.stringify(value) : value);

/** Renders rules as the YAML `rules:` block (two-space indent, kubebuilder's layout). */
export function renderRules(rules: readonly PolicyRule[]): string {
  if (rules.length === 0) return 'rules: []\n';
  const list = (key: string, values: readonly string[]): string => `    ${key}:\n${values.map((v) => `      - ${quote(v)}\n`).join('')}`;
  return `rules:\n${rules
    .map((r) => {
      const body = [list('apiGroups', r.apiGroups), list('resources', r.resources), r.resourceNames ? list('resourceNames', r.resourceNames) : '', list('verbs', r.verbs)].join('');
      return `  -${body.slice(3)}`;
    })
    .join('')}`;
}
