/**
 * Edits of the YAML manifests a project already has (kustomization lists, the manager's
 * ClusterRole, a CRD's versions). Each edit keeps comments and layout, is idempotent (applying it
 * twice changes nothing the second time) and throws a {@link ScaffoldError} naming the file when
 * the file is not what it expects.
 * @module
 */
import { isMap, isSeq, parseDocument, YAMLSeq, type Document, type YAMLMap } from 'yaml';
import type { ApiSpec } from './api-spec.js';
import { ScaffoldError } from './errors.js';

function parse(text: string, file: string): Document.Parsed {
  const doc = parseDocument(text);
  const error = doc.errors[0];
  if (error !== undefined) {
    throw new ScaffoldError({ reason: 'MalformedManifest', message: `${file} is not valid YAML: ${error.message.split('\n')[0] ?? ''}`, cause: error });
  }
  return doc;
}

function sequenceAt(doc: Document.Parsed, key: string, file: string): YAMLSeq {
  const node = doc.get(key, true);
  if (node === undefined || node === null) {
    const seq = new YAMLSeq();
    doc.set(key, seq);
    return seq;
  }
  if (!isSeq(node)) throw new ScaffoldError({ reason: 'MalformedManifest', message: `${file}: ${key} is not a list` });
  return node;
}

/** Adds `entry` to the `resources` list of a kustomization.yaml (once). */
export function addKustomizeResource(text: string, entry: string, file: string): string {
  const doc = parse(text, file);
  const resources = sequenceAt(doc, 'resources', file);
  if ((resources.toJSON() as unknown[]).includes(entry)) return text;
  resources.flow = false;
  resources.add(doc.createNode(entry));
  return doc.toString();
}

/** A policy rule of a Role or ClusterRole. */
export interface PolicyRule {
  readonly apiGroups: readonly string[];
  readonly resources: readonly string[];
  readonly verbs: readonly string[];
}

/** The rules a controller of `spec` needs on its own kind: the object, its status, its finalizers. */
export function controllerRules(spec: Pick<ApiSpec, 'apiGroup' | 'plural'>): PolicyRule[] {
  return [
    { apiGroups: [spec.apiGroup], resources: [spec.plural], verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'] },
    { apiGroups: [spec.apiGroup], resources: [`${spec.plural}/status`], verbs: ['get', 'patch', 'update'] },
    { apiGroups: [spec.apiGroup], resources: [`${spec.plural}/finalizers`], verbs: ['update'] },
  ];
}

function sameStrings(a: unknown, b: readonly string[]): boolean {
  return Array.isArray(a) && a.length === b.length && a.every((v, i) => v === b[i]);
}

/** Adds each rule the role does not have yet (same apiGroups and resources) to its `rules`. */
export function addRoleRules(text: string, rules: readonly PolicyRule[], file: string): string {
  const doc = parse(text, file);
  const kind = doc.get('kind');
  if (kind !== 'ClusterRole' && kind !== 'Role') {
    throw new ScaffoldError({ reason: 'MalformedManifest', message: `${file} is not a Role or ClusterRole (kind: ${String(kind)})` });
  }
  const seq = sequenceAt(doc, 'rules', file);
  const existing = (seq.toJSON() as unknown[]).filter((r): r is Record<string, unknown> => typeof r === 'object' && r !== null);
  let changed = false;
  for (const rule of rules) {
    if (existing.some((r) => sameStrings(r['apiGroups'], rule.apiGroups) && sameStrings(r['resources'], rule.resources))) continue;
    seq.flow = false;
    seq.add(doc.createNode({ apiGroups: [...rule.apiGroups], resources: [...rule.resources], verbs: [...rule.verbs] }));
    changed = true;
  }
  return changed ? doc.toString() : text;
}

/** What a CRD file declares: enough to find a kind and its versions. */
export interface CrdSummary {
  readonly name: string;
  readonly group: string;
  readonly kind: string;
  readonly plural: string;
  readonly scope: string;
  readonly versions: ReadonlyArray<{ readonly name: string; readonly served: boolean; readonly storage: boolean }>;
}

/** Reads a CRD file's names and versions; `undefined` when the document is not a CRD. */
export function summarizeCrd(text: string, file: string): CrdSummary | undefined {
  const value = parse(text, file).toJS() as unknown;
  if (typeof value !== 'object' || value === null) return undefined;
  const crd = value as { kind?: unknown; metadata?: { name?: unknown }; spec?: Record<string, unknown> };
  if (crd.kind !== 'CustomResourceDefinition' || crd.spec === undefined) return undefined;
  const names = (crd.spec['names'] ?? {}) as Record<string, unknown>;
  const versions = Array.isArray(crd.spec['versions']) ? (crd.spec['versions'] as Array<Record<string, unknown>>) : [];
  return {
    name: String(crd.metadata?.name ?? ''),
    group: String(crd.spec['group'] ?? ''),
    kind: String(names['kind'] ?? ''),
    plural: String(names['plural'] ?? ''),
    scope: String(crd.spec['scope'] ?? 'Namespaced'),
    versions: versions.map((v) => ({ name: String(v['name']), served: v['served'] === true, storage: v['storage'] === true })),
  };
}

/**
 * Adds version `version` to a CRD: a copy of the storage version (schema, subresources, printer
 * columns), served. With `storage`, the new version becomes the storage version; otherwise storage
 * stays where it was. Versions are kept in the order they were added.
 * @throws ScaffoldError `VersionExists` when the CRD already has that version.
 */
export function addCrdVersion(text: string, version: string, storage: boolean, file: string): string {
  const doc = parse(text, file);
  const versions = doc.getIn(['spec', 'versions'], true);
  if (!isSeq(versions)) throw new ScaffoldError({ reason: 'MalformedManifest', message: `${file}: spec.versions is not a list` });
  const entries = versions.items.filter((item): item is YAMLMap => isMap(item));
  if (entries.some((entry) => entry.get('name') === version)) {
    throw new ScaffoldError({ reason: 'VersionExists', message: `${file} already has version ${JSON.stringify(version)}; pass --force to regenerate its controller, test and sample` });
  }
  const source = entries.find((entry) => entry.get('storage') === true) ?? entries[entries.length - 1];
  if (source === undefined) throw new ScaffoldError({ reason: 'MalformedManifest', message: `${file}: spec.versions is empty` });
  const copy = source.clone() as YAMLMap;
  copy.set('name', version);
  copy.set('served', true);
  copy.set('storage', storage);
  if (storage) for (const entry of entries) entry.set('storage', false);
  versions.add(copy);
  return doc.toString();
}
