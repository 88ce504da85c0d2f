/**
 * `@rbac` markers: TSDoc tags on controllers that declare the permissions their code needs beyond
 * what the builder chain implies, e.g.
 * `@rbac groups=apps resources=deployments verbs=get;list;watch;create;update;patch;delete`.
 * The syntax is documented in docs/markers.md.
 * @module
 */
import { InvalidMarkerError, type SourceLocation } from '../errors.js';
import { RBAC_VERBS, type Permission, type RbacVerb } from './rules.js';

const KEYS = ['groups', 'resources', 'verbs', 'resourceNames', 'namespace'] as const;
const REQUIRED = ['groups', 'resources', 'verbs'] as const;
const GROUP = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*)?$/;
const RESOURCE = /^[a-z][a-z0-9-]*(\/[a-z][a-z0-9-]*)?$/;
const NAMESPACE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const EXAMPLE = '@rbac groups=apps resources=deployments verbs=get;list;watch';

/** Every `@rbac` tag inside a `/** … *\/` comment of `text`, with its 1-based line. */
export function findRbacTags(text: string): Array<{ value: string; line: number }> {
  const tags: Array<{ value: string; line: number }> = [];
  for (const comment of text.matchAll(/\/\*\*[\s\S]*?\*\//g)) {
    const firstLine = text.slice(0, comment.index).split('\n').length;
    comment[0].split('\n').forEach((raw, i) => {
      const m = /^\s*(?:\/\*\*|\*)?\s*@rbac(?=\s|$|\*)(.*?)(?:\*\/)?\s*$/.exec(raw);
      if (m) tags.push({ value: (m[1] ?? '').trim(), line: firstLine + i });
    });
  }
  return tags;
}

/**
 * Parses the value of one `@rbac` tag (`key=value` pairs separated by spaces; lists separated by
 * `;`; `groups=""` or `groups=core` is the core group).
 *
 * @throws InvalidMarkerError naming the location, what is wrong and a correct example: unknown or
 *   repeated keys, a missing `groups`/`resources`/`verbs`, an unknown verb, a wildcard (`*`), a
 *   malformed group, resource or namespace.
 */
export function parseRbacMarker(value: string, location: SourceLocation): Permission[] {
  const fail = (detail: string): never => {
    throw new InvalidMarkerError(location, 'rbac', `${detail}; write e.g. \`${EXAMPLE}\` (see docs/markers.md)`);
  };
  const fields = new Map<string, string>();
  for (const pair of value.split(/\s+/).filter((p) => p !== '')) {
    const eq = pair.indexOf('=');
    if (eq <= 0) fail(`"${pair}" is not key=value`);
    const key = pair.slice(0, eq);
    if (!(KEYS as readonly string[]).includes(key)) fail(`unknown key "${key}" (known: ${KEYS.join(', ')})`);
    if (fields.has(key)) fail(`"${key}" is given twice`);
    fields.set(key, pair.slice(eq + 1));
  }
  for (const key of REQUIRED) if (!fields.has(key)) fail(`"${key}" is missing`);
  const list = (key: string): string[] => {
    const raw = fields.get(key) ?? '';
    if (raw.includes(',')) fail(`separate the values of ${key} with ';', not ','`);
    const values = raw.split(';').map((v) => v.trim());
    if (values.includes('*')) fail(`${key}=* is a wildcard; name each ${key === 'verbs' ? 'verb' : 'value'} (Opkit never writes '*')`);
    return values;
  };
  const groups = list('groups').map((g) => (g === '""' || g === "''" || g === 'core' ? '' : g));
  for (const g of groups) if (!GROUP.test(g)) fail(`"${g}" is not an API group`);
  const resources = list('resources');
  for (const r of resources) if (!RESOURCE.test(r)) fail(`"${r}" is not a resource (a lowercase plural, optionally /subresource)`);
  const verbs = list('verbs');
  for (const v of verbs) if (!(RBAC_VERBS as readonly string[]).includes(v)) fail(`unknown verb "${v}" (known: ${RBAC_VERBS.join(', ')})`);
  const resourceNames = fields.has('resourceNames') ? list('resourceNames').filter((n) => n !== '') : undefined;
  const namespace = fields.get('namespace');
  if (namespace !== undefined && !NAMESPACE.test(namespace)) fail(`"${namespace}" is not a namespace name`);
  const source = { what: `@rbac ${value}`, location };
  return groups.flatMap((group) =>
    resources.map((resource) => ({
      group,
      resource,
      verbs: verbs as RbacVerb[],
      ...(resourceNames && resourceNames.length > 0 ? { resourceNames } : {}),
      ...(namespace === undefined ? {} : { namespace }),
      source,
    })),
  );
}
